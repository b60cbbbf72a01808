package com.cosmicmorphology.training.bench;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.distributed.SparkFineTuneTrainer;
import com.cosmicmorphology.training.head.FineTuneEpoch;
import com.cosmicmorphology.training.head.FineTuneTrainer;
import com.cosmicmorphology.training.head.HeadTrainer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The fine-tuning leg of {@code bench distributed}: the backbone from {@code training.unfreeze-from} plus the
 * head, trained for the same fixed number of epochs (no early stopping) on the same images, batch, optimizer
 * and one dihedral view per image and epoch, by {@link FineTuneTrainer} in this JVM or by
 * {@link SparkFineTuneTrainer} on the worker JVMs (the executors read the pixels from the scratch lake's
 * {@code features_inputs}). Each epoch's fit seconds and validation accuracy are the steps.
 */
final class FineTuneLeg {
    private final List<LabelledImage> train;
    private final List<LabelledImage> val;
    private final int[] trainY;
    private final int[] valY;
    private final List<String> classes;

    FineTuneLeg(List<LabelledImage> train, List<LabelledImage> val, List<String> classes) {
        this.train = train;
        this.val = val;
        this.classes = classes;
        this.trainY = train.stream().mapToInt(i -> classes.indexOf(i.label())).toArray();
        this.valY = val.stream().mapToInt(i -> classes.indexOf(i.label())).toArray();
    }

    /** What one run trains: parameters, updater state (floats) and one step's arithmetic per image. */
    record Network(long params, long updaterState, double stepFlops, double forwardFlops) {}

    Network network(CosmicConfig.Training t) {
        Backbone backbone = Backbones.create(t);
        ComputationGraph net = FineTuneTrainer.network(backbone, t, classes.size(), weights(t));
        InputType in = InputType.convolutional(backbone.inputSize(), backbone.inputSize(), 3, backbone.inputLayout());
        var state = net.getUpdater(true).getStateViewArray();
        return new Network(
                net.numParams(),
                state == null ? 0 : state.length(),
                GraphFlops.fineTuneStepFlops(net.getConfiguration(), in),
                GraphFlops.forwardFlops(net.getConfiguration(), in));
    }

    BenchRun single(CosmicConfig.Training t, String name) {
        List<FineTuneEpoch> log = new ArrayList<>();
        new FineTuneTrainer(t)
                .onEpoch(log::add)
                .train(Backbones.create(t), train, trainY, val, valY, classes, weights(t));
        return run(name, 0, 0, log, 0);
    }

    BenchRun distributed(
            SparkSession spark,
            LakeLayout scratch,
            CosmicConfig.Training t,
            String policy,
            String name,
            int workers,
            int cores) {
        SparkFineTuneTrainer.Trained r = new SparkFineTuneTrainer(spark, scratch, t, policy)
                .train(Backbones.create(t), train, trainY, val, valY, classes, weights(t));
        return run(name, workers, cores, r.epochs(), WorkerCluster.executorPeakRssMb());
    }

    private BenchRun run(String name, int workers, int cores, List<FineTuneEpoch> log, double rss) {
        return new BenchRun(
                name,
                workers,
                cores,
                train.size(),
                log.stream().map(FineTuneEpoch::fitSeconds).toList(),
                log.stream().map(FineTuneEpoch::accuracy).toList(),
                null,
                rss);
    }

    private float[] weights(CosmicConfig.Training t) {
        return HeadTrainer.classWeights(trainY, classes.size(), t.classWeights());
    }
}

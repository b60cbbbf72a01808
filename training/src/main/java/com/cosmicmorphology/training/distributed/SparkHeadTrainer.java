package com.cosmicmorphology.training.distributed;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.config.DistributedEngine;
import com.cosmicmorphology.training.eval.Metrics;
import com.cosmicmorphology.training.head.EarlyStopping;
import com.cosmicmorphology.training.head.HeadSpec;
import com.cosmicmorphology.training.head.HeadTrainer;
import com.cosmicmorphology.training.head.Standardiser;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of {@link HeadTrainer}, trained data-parallel on the Spark executors with dl4j-spark: the same
 * network, standardisation, class weights and seeds, for the epochs cross-validation chose (or with early
 * stopping on validation macro-F1), so the model it returns is the same kind as a local one. The standardised examples (every view of every training image) are
 * parallelised once and kept in executor memory; each epoch is one {@code fit} over them, made of averaging
 * rounds of {@code workers x batch x averaging-frequency} examples. Validation runs on the driver.
 */
public final class SparkHeadTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkHeadTrainer.class);

    /** The trained head, how it got there, and where the time went. */
    public record Trained(
            HeadTrainer.Trained head, int workers, long examplesPerEpoch, List<HeadTrainer.EpochLog> epochs) {}

    private final SparkSession spark;
    private final CosmicConfig.Training conf;

    public SparkHeadTrainer(SparkSession spark, CosmicConfig.Training conf) {
        this.spark = spark;
        this.conf = conf;
    }

    /** Early stopping on the validation images (what {@code bench distributed} compares with a local fit). */
    public Trained train(List<float[][]> train, int[] trainY, List<float[][]> val, int[] valY, List<String> classes) {
        return run(new HeadTrainer(conf).spec(), train, trainY, val, valY, classes, conf.epochs());
    }

    /** Exactly {@code epochs} epochs of the given head on all the images (the refit after cross-validation). */
    public Trained fit(HeadSpec spec, List<float[][]> train, int[] trainY, List<String> classes, int epochs) {
        return run(spec, train, trainY, List.of(), new int[0], classes, epochs);
    }

    private Trained run(
            HeadSpec spec,
            List<float[][]> train,
            int[] trainY,
            List<float[][]> val,
            int[] valY,
            List<String> classes,
            int epochs) {
        int k = classes.size();
        HeadTrainer.Examples ex = HeadTrainer.Examples.of(train, trainY);
        List<float[]> rows = ex.rows();
        List<Integer> ys = ex.labels();
        Standardiser st = Standardiser.fit(rows.toArray(new float[0][]));
        List<DataSet> examples = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            float[] y = new float[k];
            y[ys.get(i)] = 1f;
            examples.add(
                    new DataSet(Nd4j.create(new float[][] {st.apply(rows.get(i))}), Nd4j.create(new float[][] {y})));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int workers = conf.distributed().workers() > 0 ? conf.distributed().workers() : jsc.defaultParallelism();
        // The training master persists it (serialised, in executor memory) on the first fit and reuses it.
        JavaRDD<DataSet> rdd = jsc.parallelize(examples, workers);

        MultiLayerNetwork net = new MultiLayerNetwork(HeadTrainer.network(
                spec, rows.get(0).length, k, HeadTrainer.classWeights(trainY, k, spec.classWeights())));
        net.init();
        // Each worker sees batch/workers examples per step, so one step of all workers covers what one local step does.
        int perWorker = Math.max(1, spec.batchSize() / workers);
        TrainingMaster<?, ?> master = TrainingMasters.create(conf.distributed(), workers, perWorker, conf.seed());
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(jsc, net, master);
        EarlyStopping stop = new EarlyStopping(conf.patience());
        List<HeadTrainer.EpochLog> log = new ArrayList<>();
        int epoch;
        try {
            for (epoch = 1; epoch <= epochs; epoch++) {
                long t0 = System.nanoTime();
                sparkNet.fit(rdd);
                double fit = (System.nanoTime() - t0) / 1e9;
                if (val.isEmpty()) {
                    log.add(new HeadTrainer.EpochLog(epoch, fit, Double.NaN, Double.NaN));
                    continue;
                }
                Metrics.Report r = Metrics.of(HeadTrainer.probabilities(sparkNet.getNetwork(), st, val), valY, classes);
                log.add(new HeadTrainer.EpochLog(epoch, fit, r.accuracy(), r.macroF1()));
                if (stop.update(epoch, r, sparkNet.getNetwork().params())) {
                    break;
                }
            }
        } finally {
            rdd.unpersist(false);
            master.deleteTempFiles(jsc);
        }
        MultiLayerNetwork best = sparkNet.getNetwork();
        int run = Math.min(epoch, epochs);
        if (val.isEmpty()) {
            LOG.info(
                    "distributed head ({}, {} workers): {} epochs",
                    conf.distributed().trainingMaster(),
                    workers,
                    run);
            return new Trained(new HeadTrainer.Trained(best, st, run, run, null), workers, rows.size(), log);
        }
        best.setParams(stop.bestParams());
        LOG.info(
                "distributed head ({}, {} workers): best epoch {} of {} (validation accuracy {}, macro-F1 {})",
                conf.distributed().trainingMaster(),
                workers,
                stop.bestEpoch(),
                run,
                String.format("%.3f", stop.best().accuracy()),
                String.format("%.3f", stop.best().macroF1()));
        return new Trained(
                new HeadTrainer.Trained(best, st, stop.bestEpoch(), run, stop.best()), workers, rows.size(), log);
    }

    /** Whether {@code train} should use this trainer: engine spark, or auto with a non-local master. */
    public static boolean applies(CosmicConfig.Distributed d, String master) {
        return d.engine() == DistributedEngine.SPARK
                || (d.engine() == DistributedEngine.AUTO && !master.startsWith("local"));
    }
}

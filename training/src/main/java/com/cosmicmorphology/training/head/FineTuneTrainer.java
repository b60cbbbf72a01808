package com.cosmicmorphology.training.head;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.data.Batches;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.Views;
import com.cosmicmorphology.training.eval.Metrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tuning: the backbone's layers from {@code training.unfreeze-from} on are trained together with a new
 * head (hidden ReLU layer with dropout, class-weighted softmax), every earlier layer stays frozen. Each
 * epoch shows every training image under a random dihedral view (seeded): sky images have no canonical
 * orientation. Early stopping on validation macro-F1 (views averaged), as for the frozen head.
 */
public final class FineTuneTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(FineTuneTrainer.class);

    /** The trained network and how it got there. */
    public record Trained(ComputationGraph net, int bestEpoch, int epochsRun, Metrics.Report validation) {}

    private final CosmicConfig.Training conf;

    private java.util.function.Consumer<FineTuneEpoch> onEpoch = e -> {};

    public FineTuneTrainer(CosmicConfig.Training conf) {
        this.conf = conf;
    }

    /** Called after every epoch (bench distributed times the epochs through it). */
    public FineTuneTrainer onEpoch(java.util.function.Consumer<FineTuneEpoch> listener) {
        this.onEpoch = listener;
        return this;
    }

    /** Network passes (forward or backward, images) this JVM ran outside Spark tasks: the driver's share. */
    private static final java.util.concurrent.atomic.AtomicLong DRIVER_PASSES =
            new java.util.concurrent.atomic.AtomicLong();

    /** Images that went through a fine-tune network's forward or backward pass in this JVM outside a Spark task. */
    public static long driverPasses() {
        return DRIVER_PASSES.get();
    }

    private static void countPass(long images) {
        if (org.apache.spark.TaskContext.get() == null) {
            DRIVER_PASSES.addAndGet(images);
        }
    }

    /**
     * The network fine-tuning trains: the backbone frozen below {@code training.unfreeze-from}, and a new head
     * (hidden ReLU layer with dropout, class-weighted softmax) on the backbone's own output. Built from the
     * configuration alone (the head's input size is inferred, no forward pass), so a driver can build it for
     * the executors to train.
     */
    public static ComputationGraph network(
            Backbone backbone, CosmicConfig.Training conf, int classes, float[] classWeights) {
        ComputationGraph base = backbone.graph();
        List<String> order = base.getConfiguration().getTopologicalOrderStr();
        int at = order.indexOf(conf.unfreezeFrom());
        if (at <= 0) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "training.unfreeze-from '" + conf.unfreezeFrom() + "' is not a layer of "
                            + backbone.id() + "; valid names include: "
                            + String.join(", ", order.subList(Math.max(1, order.size() - 12), order.size()))
                            + " (the layer names of the backbone, in order)");
        }
        String output = base.getConfiguration().getNetworkOutputs().get(0);
        // the head sits on the graph's own output, which fine-tuning trains through; training.feature-layers
        // (a frozen-mode recipe of pooled inner activations) does not apply here
        long featureDim = com.cosmicmorphology.training.backbone.GraphShapes.outputLength(backbone);
        ComputationGraph net = new TransferLearning.GraphBuilder(base)
                // dropout(null) clears the imported layers' dropout: DL4J's dropout backprop fails on NHWC
                // convolutions ("Op [multiply] ... validation failed"); the new head's L2 regularises instead
                .fineTuneConfiguration(new FineTuneConfiguration.Builder()
                        .updater(new Adam(conf.learningRate()))
                        .l2(conf.l2())
                        .seed(conf.seed())
                        .dropout(null)
                        .build())
                .setFeatureExtractor(order.get(at - 1))
                .addLayer(
                        "head_hidden",
                        new DenseLayer.Builder()
                                .nIn(featureDim)
                                .nOut(conf.hidden())
                                .activation(Activation.RELU)
                                .weightInit(WeightInit.RELU)
                                .dropOut(1.0 - conf.dropout())
                                .build(),
                        output)
                .addLayer(
                        "head_out",
                        new OutputLayer.Builder(new LossMCXENT(Nd4j.create(classWeights)))
                                .nIn(conf.hidden())
                                .nOut(classes)
                                .activation(Activation.SOFTMAX)
                                .weightInit(WeightInit.XAVIER)
                                .build(),
                        "head_hidden")
                .setOutputs("head_out")
                .build();
        trackBatchStatistics(net, order.subList(at, order.size()));
        return net;
    }

    /** Running-statistics decay of the batch norms that train: PyTorch's default momentum of 0.1. */
    static final double TRAINABLE_BATCH_NORM_DECAY = 0.9;

    /**
     * Lets the trainable batch norms' running statistics follow the photographs. A batch norm normalises with
     * the minibatch's statistics in training and with its running ones in inference; Keras's MobileNetV2 keeps
     * ImageNet's with a decay of 0.999, so after a few hundred steps inference still normalised with ImageNet's
     * statistics what the head had learned on the photographs' (deep-sky images are far from ImageNet's):
     * measured, the validation predictions collapsed onto one class within a few epochs (macro-F1 0.04-0.09),
     * even with only the last batch norm trainable, while the head alone learned. (Keeping them in inference
     * mode, as Keras's guide does, is not possible here: DL4J's batch norm cannot back-propagate in inference mode.)
     */
    static void trackBatchStatistics(ComputationGraph net, List<String> trainable) {
        for (String name : trainable) {
            if (net.getConfiguration().getVertices().get(name)
                            instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                    && lv.getLayerConf().getLayer()
                            instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization bn) {
                bn.setDecay(TRAINABLE_BATCH_NORM_DECAY);
            }
        }
    }

    public Trained train(
            Backbone backbone,
            List<LabelledImage> train,
            int[] trainY,
            List<LabelledImage> val,
            int[] valY,
            List<String> classes,
            float[] classWeights) {
        ComputationGraph net = network(backbone, conf, classes.size(), classWeights);

        Random rnd = new Random(conf.seed());
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            idx.add(i);
        }
        EarlyStopping stop = new EarlyStopping(conf.patience());
        int epoch;
        for (epoch = 1; epoch <= conf.epochs(); epoch++) {
            long t0 = System.nanoTime();
            Collections.shuffle(idx, rnd);
            for (int s = 0; s < idx.size(); s += conf.batchSize()) {
                List<Integer> b = idx.subList(s, Math.min(idx.size(), s + conf.batchSize()));
                List<byte[]> px = new ArrayList<>();
                float[][] y = new float[b.size()][classes.size()];
                for (int i = 0; i < b.size(); i++) {
                    px.add(Views.view(train.get(b.get(i)).pixels(), backbone.inputSize(), rnd.nextInt(8)));
                    y[i][trainY[b.get(i)]] = 1f;
                }
                net.fit(new DataSet(backbone.toInput(Batches.nhwc(px, backbone.inputSize())), Nd4j.create(y)));
                countPass(b.size());
                System.gc(); // frees ND4J's off-heap buffers of the batch (see FeatureStore)
            }
            double fit = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            Metrics.Report r = Metrics.of(probabilities(net, backbone, val, conf.featureViews()), valY, classes);
            onEpoch.accept(new FineTuneEpoch(
                    epoch, train.size(), fit, (System.nanoTime() - t1) / 1e9, r.accuracy(), r.macroF1()));
            LOG.info(
                    "fine-tune epoch {} (local): {} images in {} s ({} img/s), validation macro-F1 {}",
                    epoch,
                    train.size(),
                    String.format("%.1f", fit),
                    String.format("%.2f", train.size() / fit),
                    String.format("%.3f", r.macroF1()));
            if (stop.update(epoch, r, net.params())) {
                break;
            }
        }
        net.setParams(stop.bestParams());
        int run = Math.min(epoch, conf.epochs());
        LOG.info(
                "fine-tune: best epoch {} of {} (validation accuracy {}, macro-F1 {})",
                stop.bestEpoch(),
                run,
                String.format("%.3f", stop.best().accuracy()),
                String.format("%.3f", stop.best().macroF1()));
        return new Trained(net, stop.bestEpoch(), run, stop.best());
    }

    /** Class probabilities per image, averaged over its first {@code views} dihedral views. */
    public static double[][] probabilities(
            ComputationGraph net, Backbone layout, List<LabelledImage> images, int views) {
        return probabilities(
                net,
                layout::toInput,
                layout.inputSize(),
                images.stream().map(LabelledImage::pixels).toList(),
                views);
    }

    public static double[][] probabilities(
            ComputationGraph net,
            java.util.function.UnaryOperator<INDArray> toInput,
            int size,
            List<byte[]> pixels,
            int views) {
        double[][] out = new double[pixels.size()][];
        for (int i = 0; i < pixels.size(); i++) {
            List<byte[]> v = new ArrayList<>();
            for (int k = 0; k < views; k++) {
                v.add(Views.view(pixels.get(i), size, k));
            }
            out[i] = net.outputSingle(false, toInput.apply(Batches.nhwc(v, size)))
                    .mean(0)
                    .castTo(DataType.DOUBLE)
                    .toDoubleVector();
            countPass(views);
        }
        return out;
    }
}

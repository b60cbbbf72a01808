package com.cosmicmorphology.training.head;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.training.eval.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the classification head on cached features ({@link HeadKind}: softmax regression, or one hidden ReLU
 * layer with dropout; L2 on both), softmax output with class-weighted cross-entropy (balanced weights: rare classes count as much as common ones),
 * Adam, a fixed seed and a seeded shuffle. Every view of a training image is an example (augmentation);
 * scoring averages the class probabilities over views. {@link #fit} runs a given number of epochs (what
 * cross-validation chose); {@link #train} stops early on a validation split instead (the distributed engine).
 */
public final class HeadTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(HeadTrainer.class);

    /** The trained head and how it got there. */
    public record Trained(
            MultiLayerNetwork net,
            Standardiser standardiser,
            int bestEpoch,
            int epochsRun,
            Metrics.Report validation) {}

    /** Every view of every training image as one example (augmentation), with its image's class. */
    public record Examples(List<float[]> rows, List<Integer> labels) {
        public static Examples of(List<float[][]> images, int[] y) {
            List<float[]> rows = new ArrayList<>();
            List<Integer> ys = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                for (float[] v : images.get(i)) {
                    rows.add(v);
                    ys.add(y[i]);
                }
            }
            return new Examples(rows, ys);
        }
    }

    /** One epoch: wall seconds of its training steps, then the validation metrics after it. */
    public record EpochLog(int epoch, double fitSeconds, double valAccuracy, double valMacroF1) {}

    /** A head fitted for a fixed number of epochs. */
    public record Fitted(MultiLayerNetwork net, Standardiser standardiser, int epochs) {}

    /** Called after every epoch with the network as it is then; returns true to stop training. */
    public interface AfterEpoch {
        boolean after(int epoch, double fitSeconds, MultiLayerNetwork net, Standardiser standardiser);
    }

    private final HeadSpec spec;
    private final int maxEpochs;
    private final int patience;
    private java.util.function.Consumer<EpochLog> epochs = e -> {};

    public HeadTrainer(HeadSpec spec, int maxEpochs, int patience) {
        this.spec = spec;
        this.maxEpochs = maxEpochs;
        this.patience = patience;
    }

    /** The configured head ({@code training.head}; auto means the MLP here, where nothing selects). */
    public HeadTrainer(CosmicConfig.Training conf) {
        this(
                HeadSpec.of(conf, conf.head().equals("linear") ? HeadKind.LINEAR : HeadKind.MLP),
                conf.epochs(),
                conf.patience());
    }

    public HeadSpec spec() {
        return spec;
    }

    /** Receives every epoch's timing and validation metrics (the benchmarks use it). */
    public HeadTrainer onEpoch(java.util.function.Consumer<EpochLog> listener) {
        this.epochs = listener;
        return this;
    }

    /**
     * Trains on every view of every image as one example for up to {@code epochs} epochs (fewer if
     * {@code after} says stop); the standardiser is fitted on these examples.
     *
     * @param train per image: its views' features
     * @param y class index per image
     */
    public Fitted fit(List<float[][]> train, int[] y, int k, int epochs, AfterEpoch after) {
        Examples ex = Examples.of(train, y);
        List<float[]> rows = ex.rows();
        List<Integer> ys = ex.labels();
        Standardiser st = Standardiser.fit(rows.toArray(new float[0][]));
        float[][] xs = new float[rows.size()][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = st.apply(rows.get(i));
        }
        MultiLayerNetwork net =
                new MultiLayerNetwork(network(spec, xs[0].length, k, classWeights(y, k, spec.classWeights())));
        net.init();
        Random rnd = new Random(spec.seed());
        Integer[] order = new Integer[xs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int epoch;
        for (epoch = 1; epoch <= epochs; epoch++) {
            java.util.Collections.shuffle(java.util.Arrays.asList(order), rnd);
            long t0 = System.nanoTime();
            for (int s = 0; s < order.length; s += spec.batchSize()) {
                int n = Math.min(spec.batchSize(), order.length - s);
                float[][] x = new float[n][];
                float[][] t = new float[n][k];
                for (int i = 0; i < n; i++) {
                    x[i] = xs[order[s + i]];
                    t[i][ys.get(order[s + i])] = 1f;
                }
                net.fit(new DataSet(Nd4j.create(x), Nd4j.create(t)));
            }
            if (after.after(epoch, (System.nanoTime() - t0) / 1e9, net, st)) {
                break;
            }
        }
        return new Fitted(net, st, Math.min(epoch, epochs));
    }

    /** Trains with early stopping on the validation images: keeps the epoch with the best macro-F1. */
    public Trained train(List<float[][]> train, int[] trainY, List<float[][]> val, int[] valY, List<String> classes) {
        EarlyStopping stop = new EarlyStopping(patience);
        Fitted f = fit(train, trainY, classes.size(), maxEpochs, (epoch, seconds, net, st) -> {
            Metrics.Report r = Metrics.of(probabilities(net, st, val), valY, classes);
            epochs.accept(new EpochLog(epoch, seconds, r.accuracy(), r.macroF1()));
            return stop.update(epoch, r, net.params());
        });
        f.net().setParams(stop.bestParams());
        LOG.info(
                "head: best epoch {} of {} (validation accuracy {}, macro-F1 {})",
                stop.bestEpoch(),
                f.epochs(),
                String.format("%.3f", stop.best().accuracy()),
                String.format("%.3f", stop.best().macroF1()));
        return new Trained(f.net(), f.standardiser(), stop.bestEpoch(), f.epochs(), stop.best());
    }

    /** Class probabilities per image, averaged over its views (one forward pass over all the views). */
    public static double[][] probabilities(MultiLayerNetwork net, Standardiser st, List<float[][]> images) {
        double[][] out = new double[images.size()][];
        if (images.isEmpty()) {
            return out;
        }
        List<float[]> rows = new ArrayList<>();
        for (float[][] views : images) {
            for (float[] v : views) {
                rows.add(st.apply(v));
            }
        }
        float[][] p =
                net.output(Nd4j.create(rows.toArray(new float[0][])), false).toFloatMatrix();
        int r = 0;
        for (int i = 0; i < images.size(); i++) {
            int n = images.get(i).length;
            double[] mean = new double[p[0].length];
            for (int v = 0; v < n; v++, r++) {
                for (int c = 0; c < mean.length; c++) {
                    mean[c] += p[r][c] / n;
                }
            }
            out[i] = mean;
        }
        return out;
    }

    /** This trainer's head architecture: d features in, k classes out, class-weighted cross-entropy. */
    public MultiLayerConfiguration network(int d, int k, float[] weights) {
        return network(spec, d, k, weights);
    }

    /** A head's architecture: d features in, k classes out, class-weighted cross-entropy. */
    public static MultiLayerConfiguration network(HeadSpec spec, int d, int k, float[] weights) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(spec.learningRate()))
                .weightInit(WeightInit.RELU)
                .l2(spec.l2())
                .list();
        int in = d;
        if (spec.kind() == HeadKind.MLP) {
            b.layer(new DenseLayer.Builder()
                    .nIn(d)
                    .nOut(spec.hidden())
                    .activation(Activation.RELU)
                    .dropOut(1.0 - spec.dropout())
                    .build());
            in = spec.hidden();
        }
        return b.layer(new OutputLayer.Builder(new LossMCXENT(Nd4j.create(weights)))
                        .nIn(in)
                        .nOut(k)
                        .activation(Activation.SOFTMAX)
                        .weightInit(WeightInit.XAVIER)
                        .build())
                .build();
    }

    /** Balanced weights n / (k * n_c), capped at 10 so a class of 3 images does not dominate; 1 if disabled. */
    public static float[] classWeights(int[] y, int k, boolean enabled) {
        float[] w = new float[k];
        java.util.Arrays.fill(w, 1f);
        if (!enabled) {
            return w;
        }
        int[] n = new int[k];
        for (int c : y) {
            n[c]++;
        }
        for (int c = 0; c < k; c++) {
            w[c] = n[c] == 0 ? 1f : (float) Math.min(10.0, (double) y.length / (k * n[c]));
        }
        return w;
    }
}

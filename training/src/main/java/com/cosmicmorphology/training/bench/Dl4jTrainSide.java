package com.cosmicmorphology.training.bench;

import com.cosmicmorphology.common.bench.BenchResult;
import com.cosmicmorphology.training.backbone.KerasH5Backbone;
import com.cosmicmorphology.training.backbone.OneDnnHelpers;
import com.cosmicmorphology.training.backbone.ResNet50Backbone;
import com.cosmicmorphology.training.backbone.ResNet50Graph;
import com.cosmicmorphology.training.backbone.ResNet50Variant;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * DL4J side of {@code bench train}, run in its own JVM so that its peak RSS is its own: the project's ResNet50
 * with a 1000-way head, float32, NCHW, random non-zero inputs, Adam (lr 1e-3, no weight decay), softmax
 * cross-entropy, mean over the batch; the same as the PyTorch script. Prints one JSON line.
 * Arguments: variant size batch warmup iterations layout (NCHW or NHWC) [full|train-only [keras .h5]]. After
 * the comparison (full), it also times the backbones as frozen feature extractors: ResNet50 and, when given, the
 * offline Keras backbone.
 */
public final class Dl4jTrainSide {
    private Dl4jTrainSide() {}

    public static void main(String[] args) throws Exception {
        ResNet50Variant variant = ResNet50Variant.parse("--variant", args[0]);
        int size = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int iterations = Integer.parseInt(args[4]);
        CNN2DFormat layout = CNN2DFormat.valueOf(args[5]);
        boolean trainOnly = args.length > 6 && args[6].equals("train-only"); // dev/profile-train: nothing else sampled
        String kerasModel = args.length > 7 ? args[7] : "";
        OneDnnHelpers.enable();
        double peak = trainOnly ? Double.NaN : sgemmPeak();
        ComputationGraphConfiguration conf = ResNet50Graph.build(variant, size, 1000, 42, new Adam(1e-3), layout);
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        INDArray x = (layout == CNN2DFormat.NCHW
                        ? Nd4j.rand(DataType.FLOAT, batch, 3, size, size)
                        : Nd4j.rand(DataType.FLOAT, batch, size, size, 3))
                .addi(0.01);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 1000);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, (i * 37) % 1000, 1f);
        }
        DataSet ds = new DataSet(x, y);
        List<Double> train = timed(warmup, iterations, () -> net.fit(ds));
        List<Double> infer = trainOnly ? List.of() : timed(warmup, iterations, () -> net.outputSingle(false, x));
        long trainable = net.paramTable().entrySet().stream()
                .filter(e -> !e.getKey().endsWith("_mean") && !e.getKey().endsWith("_log10stdev"))
                .mapToLong(e -> e.getValue().length())
                .sum();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("side", "dl4j");
        out.put("train_s", train);
        out.put("infer_s", infer);
        out.put("threads", NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads());
        out.put("params", trainable);
        out.put("forward_flops", GraphFlops.forwardFlops(conf, InputType.convolutional(size, size, 3, layout)));
        out.put("peak_gflops", peak);
        out.put("peak_rss_mb", BenchResult.peakRssMb()); // before the feature passes below: training's peak
        if (!trainOnly) {
            // what every frozen-mode training and prediction pays: the backbones as feature extractors, as those run
            // them (NHWC; ResNet50 with its batch norms folded), random weights
            ResNet50Backbone resnet = new ResNet50Backbone(
                    variant, size, java.nio.file.Files.createTempDirectory("no-weights"), true, 42);
            out.put("features_resnet50_img_s", featuresPerSecond(resnet::features, size, batch, warmup, iterations));
            if (!kerasModel.isEmpty() && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(kerasModel))) {
                out.put(
                        "features_keras_img_s",
                        featuresPerSecond(
                                // the built-in training.feature-layers: the activations train and predict pool
                                new KerasH5Backbone(
                                        java.nio.file.Path.of(kerasModel),
                                        224,
                                        new com.cosmicmorphology.common.config.ConfigLoader()
                                                .load(null, java.util.Map.of(), java.util.Map.of())
                                                .training()
                                                .featureLayers())::features,
                                224,
                                batch,
                                warmup,
                                iterations));
            }
        }
        out.put(
                "version",
                "DL4J " + mavenVersion() + ", ND4J "
                        + Nd4j.getBackend().getClass().getSimpleName());
        out.put(
                "config",
                layout + " | oneDNN helpers " + (OneDnnHelpers.enabled() ? "on" : "off") + " | "
                        + Nd4j.getExecutioner().getEnvironmentInformation().getOrDefault("blas.vendor", "?") + " | "
                        + Nd4j.getExecutioner().getEnvironmentInformation().getOrDefault("cores", "?") + " cores");
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    /** Images/s of a backbone's features on an NHWC batch in [0,1) (median of the timed runs). */
    private static double featuresPerSecond(
            java.util.function.UnaryOperator<INDArray> features, int size, int batch, int warmup, int iterations) {
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, size, size, 3);
        List<Double> t = timed(warmup, iterations, () -> features.apply(x));
        return batch / t.stream().sorted().toList().get(t.size() / 2);
    }

    private static String mavenVersion() {
        try (var in = Dl4jTrainSide.class.getResourceAsStream(
                "/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (Exception | Error e) {
            return "?";
        }
    }

    /**
     * Seconds of each timed run after the warm-ups. A GC runs between runs, untimed: ND4J's off-heap buffers
     * are freed when Java collects their owners, and without it RSS grows by GBs over a few batches.
     */
    static List<Double> timed(int warmup, int n, Runnable r) {
        List<Double> s = new ArrayList<>();
        for (int i = 0; i < warmup + n; i++) {
            System.gc();
            long t0 = System.nanoTime();
            r.run();
            double d = (System.nanoTime() - t0) / 1e9;
            if (i >= warmup) {
                s.add(d);
            }
        }
        return s;
    }

    /** GFLOP/s of a 2048x2048x2048 float matrix product (2*n^3 flops), best of 5 after one warm-up. */
    static double sgemmPeak() {
        int n = 2048;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        double best = 0;
        for (int i = 0; i < 6; i++) {
            long t0 = System.nanoTime();
            a.mmul(b);
            double s = (System.nanoTime() - t0) / 1e9;
            if (i > 0) {
                best = Math.max(best, 2.0 * n * n * n / s / 1e9);
            }
        }
        return best;
    }
}

package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.image.Hashes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Any Keras .h5 feature extractor (channels_last, pixel/255), imported with KerasModelImport. Its feature vector
 * is the model's output, or, when feature layers are given, those activations pooled over space (global
 * average or max) side by side: an inner layer can say more than the model's own pooled output (measured with
 * cross-validation, see docs/quality.md). The entry {@code pixels:stats} appends {@link PixelFeatures}
 * of the input image.
 */
public final class KerasH5Backbone implements Backbone {
    /** The feature-layers entry that appends {@link PixelFeatures} of the input instead of a layer's activations. */
    public static final String PIXEL_STATS = "pixels:stats";

    private final Path file;
    private final ComputationGraph graph;
    private final int size;
    private final String sha256;
    private final List<String> featureLayers;

    public KerasH5Backbone(Path file, int size) {
        this(file, size, List.of());
    }

    /** @param featureLayers {@code layer:avg} or {@code layer:max} entries; empty for the model's output */
    public KerasH5Backbone(Path file, int size, List<String> featureLayers) {
        if (!Files.isRegularFile(file)) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "Keras backbone " + file + " does not exist; set training.keras-model "
                            + "to an .h5 file (the repository ships models/mobilenet_v2_imagenet_block10_features.h5)");
        }
        this.file = file;
        this.size = size;
        this.featureLayers = List.copyOf(featureLayers);
        try {
            this.sha256 = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
            this.graph = KerasModelImport.importKerasModelAndWeights(file.toString(), false);
        } catch (Exception e) {
            throw new CosmicException(ExitCode.USAGE, "cannot import Keras model " + file + ": " + e.getMessage(), e);
        }
        for (String f : this.featureLayers) {
            String layer = f.substring(0, f.indexOf(':'));
            if (f.equals(PIXEL_STATS)) {
                continue;
            }
            if (!graph.getConfiguration().getVertices().containsKey(layer)) {
                List<String> order = graph.getConfiguration().getTopologicalOrderStr();
                throw new CosmicException(
                        ExitCode.USAGE,
                        "training.feature-layers names '" + layer + "', which " + file
                                + " does not have; its last layers are "
                                + order.subList(Math.max(0, order.size() - 4), order.size())
                                + ": name layers of this file, or set training.feature-layers=[] to use its output");
            }
        }
    }

    @Override
    public INDArray features(INDArray nhwc) {
        if (featureLayers.isEmpty()) {
            return graph.outputSingle(false, nhwc);
        }
        Map<String, INDArray> act = activations(nhwc);
        INDArray[] parts = new INDArray[featureLayers.size()];
        for (int i = 0; i < parts.length; i++) {
            if (featureLayers.get(i).equals(PIXEL_STATS)) {
                parts[i] = PixelFeatures.of(nhwc);
                continue;
            }
            String[] lp = featureLayers.get(i).split(":");
            INDArray a = act.get(lp[0]); // [N, H, W, C]: the imported graph is channels_last
            parts[i] = switch (lp[1]) {
                case "max" -> a.max(1, 2);
                case "grid" -> grid(a);
                default -> a.mean(1, 2);
            };
        }
        return Nd4j.hstack(parts);
    }

    /**
     * The activations the feature layers pool, and only those: {@code output(layers, ...)} runs the graph up to
     * them in DL4J's workspaces, where {@code feedForward} keeps a detached copy of every layer's activation
     * (measured, MobileNetV2 to block_10_expand_relu, 224 px, batch 16, 2 threads: 16.2 against 7.0 images/s,
     * the same values).
     */
    private Map<String, INDArray> activations(INDArray nhwc) {
        List<String> layers = featureLayers.stream()
                .filter(f -> !f.equals(PIXEL_STATS))
                .map(f -> f.substring(0, f.indexOf(':')))
                .distinct()
                .toList();
        if (layers.isEmpty()) {
            return Map.of();
        }
        INDArray[] out = graph.output(layers, false, new INDArray[] {nhwc}, null);
        Map<String, INDArray> act = new HashMap<>();
        for (int i = 0; i < out.length; i++) {
            act.put(layers.get(i), out[i]);
        }
        return act;
    }

    /**
     * Average pooling over the four quadrants of the map ([N, 4C]: top-left, top-right, bottom-left,
     * bottom-right): where in the frame a structure is (a compact core, a centred nebula, stars everywhere) is
     * information global pooling throws away. Dihedral views move the quadrants, so the views stay distinct examples.
     */
    static INDArray grid(INDArray a) {
        long h = a.size(1);
        long w = a.size(2);
        long hm = h / 2;
        long wm = w / 2;
        INDArray[] q = new INDArray[4];
        int i = 0;
        for (long[] r : new long[][] {{0, hm}, {hm, h}}) {
            for (long[] c : new long[][] {{0, wm}, {wm, w}}) {
                q[i++] = a.get(
                                NDArrayIndex.all(),
                                NDArrayIndex.interval(r[0], r[1]),
                                NDArrayIndex.interval(c[0], c[1]),
                                NDArrayIndex.all())
                        .mean(1, 2);
            }
        }
        return Nd4j.hstack(q);
    }

    @Override
    public String id() {
        String name = file.getFileName().toString().replaceAll("\\.h5$", "").replaceAll("[^A-Za-z0-9_]", "_");
        String base = "keras_" + name.toLowerCase() + "_" + size;
        // another feature recipe is another cache table; a short hash keeps the table name a valid identifier
        return featureLayers.isEmpty()
                ? base
                : base + "_f"
                        + Hashes.sha256(String.join(",", featureLayers).getBytes(StandardCharsets.UTF_8))
                                .substring(0, 8);
    }

    @Override
    public int inputSize() {
        return size;
    }

    @Override
    public ComputationGraph graph() {
        return graph;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "keras-h5");
        m.put("file", file.toString());
        m.put("sha256", sha256);
        m.put("input_size", size);
        m.put("layout", "NHWC");
        m.put("normalisation", "pixel/255");
        if (!featureLayers.isEmpty()) {
            m.put("feature_layers", featureLayers);
        }
        return m;
    }
}

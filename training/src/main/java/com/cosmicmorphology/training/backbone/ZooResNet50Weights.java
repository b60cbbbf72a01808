package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.training.model.ModelArchiveCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Loads DL4J's ImageNet ResNet50 ({@code resnet50_dl4j_inference.v3.zip}, a ComputationGraph saved by the zoo
 * class) into {@link ResNet50Graph}'s v1 network by name, checking every shape.
 *
 * <p>The zoo file holds the right weights in a wrong graph: its parameter shapes are those of ResNet50 v1
 * (only its strides and final pooling are wrong), so the weights carry over. Its names differ for the stem
 * ({@code stem-cnn1}/{@code stem-batch1} here {@code conv1}/{@code bn_conv1}) and the head ({@code output},
 * here {@code fc1000}); block layers share Keras's names. The zoo's convolutions have biases (Keras's do);
 * a bias b before batch norm is the same function as no bias and running mean {@code mean - b} (in training
 * the batch mean absorbs it), so each bias is folded into the following batch norm's mean.
 */
public final class ZooResNet50Weights {
    /** The file name DL4J's zoo downloads and looks for. */
    public static final String FILE = "resnet50_dl4j_inference.v3.zip";

    private ZooResNet50Weights() {}

    /** What was loaded: parameters copied and biases folded. */
    public record Report(int copied, int biasesFolded, List<String> unused) {}

    public static Report load(ComputationGraph target, Path zip) {
        ComputationGraph source;
        // ModelSerializer trusts the file's entries (a preprocessor.bin is Java-deserialized): DL4J gets only
        // bytes that passed the check
        byte[] checked = new ModelArchiveCheck().read(zip, "place DL4J's " + FILE + " there");
        try {
            source = ModelSerializer.restoreComputationGraph(new java.io.ByteArrayInputStream(checked), false);
        } catch (Exception | OutOfMemoryError e) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "ResNet50 weights " + zip + " are not a DL4J model file (" + e.getMessage() + "); place DL4J's "
                            + FILE + " there");
        }
        return copy(source.paramTable(), target, zip.toString());
    }

    /** Copies {@code src} (zoo names) into {@code target}; one exception listing every missing or misfit parameter. */
    static Report copy(Map<String, INDArray> src, ComputationGraph target, String origin) {
        Map<String, INDArray> dst = target.paramTable();
        Map<String, INDArray> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        TreeSet<String> used = new TreeSet<>();
        int folded = 0;
        for (Map.Entry<String, INDArray> e : dst.entrySet()) {
            String key = e.getKey();
            String layer = key.substring(0, key.lastIndexOf('_'));
            String param = key.substring(key.lastIndexOf('_') + 1);
            String srcLayer = zooName(layer);
            INDArray v = src.get(srcLayer + "_" + param);
            if (v == null && param.equals("log10stdev") && src.containsKey(srcLayer + "_var")) {
                // older DL4J files keep the running variance; this DL4J keeps log10(sqrt(var + eps))
                used.add(srcLayer + "_var");
                v = Transforms.log(src.get(srcLayer + "_var").add(ResNet50Graph.BN_EPS), 10, true)
                        .muli(0.5);
            } else if (v != null) {
                used.add(srcLayer + "_" + param);
            }
            if (v == null) {
                problems.add(key + " (looked for " + srcLayer + "_" + param + ")");
                continue;
            }
            if (!Arrays.equals(v.shape(), e.getValue().shape())) {
                problems.add(key + " shape " + Arrays.toString(e.getValue().shape()) + " but the file has "
                        + Arrays.toString(v.shape()));
                continue;
            }
            if (param.equals("mean")) {
                INDArray bias = src.get(zooName(convOf(layer)) + "_b");
                if (bias != null) {
                    if (!Arrays.equals(bias.shape(), v.shape())) {
                        problems.add(
                                key + ": bias of " + convOf(layer) + " has shape " + Arrays.toString(bias.shape()));
                        continue;
                    }
                    used.add(zooName(convOf(layer)) + "_b");
                    v = v.sub(bias);
                    folded++;
                }
            }
            values.put(key, v);
        }
        if (!problems.isEmpty()) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "ResNet50 weights " + origin + " do not fit ResNet50 v1: "
                            + problems.size() + " of " + dst.size() + " parameters missing or misshapen: "
                            + String.join(", ", problems.subList(0, Math.min(8, problems.size())))
                            + (problems.size() > 8 ? ", ..." : "") + "; use DL4J's " + FILE);
        }
        values.forEach((k, v) -> target.setParam(k, v.castTo(dst.get(k).dataType())));
        List<String> unused =
                src.keySet().stream().filter(k -> !used.contains(k)).sorted().toList();
        return new Report(values.size(), folded, unused);
    }

    /** The zoo's name for one of {@link ResNet50Graph}'s layers. */
    static String zooName(String layer) {
        return switch (layer) {
            case "conv1" -> "stem-cnn1";
            case "bn_conv1" -> "stem-batch1";
            case ResNet50Graph.HEAD -> "output";
            default -> layer;
        };
    }

    /** The convolution a batch norm follows: bn_conv1 -> conv1, bn2a_branch2a -> res2a_branch2a. */
    static String convOf(String bnLayer) {
        return bnLayer.equals("bn_conv1") ? "conv1" : "res" + bnLayer.substring(2);
    }
}

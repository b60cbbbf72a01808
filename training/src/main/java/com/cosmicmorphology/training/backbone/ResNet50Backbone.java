package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The true ResNet50 ({@link ResNet50Graph}) as a feature extractor: 2048 pooled features per image, any input
 * of at least 32 px. ImageNet weights ({@link ZooResNet50Weights#FILE} under
 * {@code <weights-dir>/models/resnet50/}, where DL4J's zoo keeps it) go into v1, the variant they were trained
 * with; without them the network starts from He-initialised weights only if random weights are allowed.
 * The graph runs channels last (NHWC): images arrive in that layout, and DL4J's oneDNN path infers ~1.2x faster
 * in it than in NCHW (measured, 224 px, batch 16: 0.53 vs 0.65 s); its training is slower in NHWC (5.2 vs 3.6 s
 * per batch), which fine-tuning of a few upper blocks pays far less than feature extraction gains.
 */
public final class ResNet50Backbone implements Backbone {
    private static final Logger LOG = LoggerFactory.getLogger(ResNet50Backbone.class);
    private final ResNet50Variant variant;
    private final int size;
    private final boolean pretrained;
    private final Path weightsFile;
    /** Of the ImageNet weights file; null for random weights. */
    private final String weightsSha256;

    private final ComputationGraph graph;
    private ComputationGraph inference;

    public ResNet50Backbone(ResNet50Variant variant, int size, Path weightsDir, boolean allowRandom, long seed) {
        this.variant = variant;
        this.size = size;
        this.weightsFile = weightsDir.resolve("models").resolve("resnet50").resolve(ZooResNet50Weights.FILE);
        boolean present = Files.isRegularFile(weightsFile);
        if (present && variant != ResNet50Variant.V1) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "the ImageNet weights " + weightsFile + " were trained with ResNet50 "
                            + "v1 (stride on the first 1x1); set training.resnet-variant=v1 to use them, or move the file away to "
                            + "train " + variant.key() + " from random weights");
        }
        if (!present && !allowRandom) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "no ImageNet weights for resnet50: place DL4J's "
                            + ZooResNet50Weights.FILE + " at " + weightsFile + " (or set training.weights-dir), or set "
                            + "training.allow-random-weights=true to start from random (He-initialised) weights");
        }
        if (size < 32) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "training.input-size " + size + " is too small for resnet50: it "
                            + "halves the image 5 times; use 32 or more");
        }
        ComputationGraph g = new ComputationGraph(ResNet50Graph.build(variant, size, 0, seed, null, CNN2DFormat.NHWC));
        g.init();
        if (present) {
            ZooResNet50Weights.Report r = ZooResNet50Weights.load(g, weightsFile);
            LOG.info(
                    "ResNet50 {}: {} parameters loaded from {} ({} convolution biases folded into batch norm)",
                    variant.key(),
                    r.copied(),
                    weightsFile,
                    r.biasesFolded());
        }
        this.pretrained = present;
        this.weightsSha256 = present ? FileSha256.of(weightsFile) : null;
        this.graph = g;
    }

    @Override
    public String id() {
        return "resnet50" + variant.key().replace('.', '_') + (pretrained ? "_imagenet_" : "_random_") + size;
    }

    @Override
    public int inputSize() {
        return size;
    }

    /**
     * Frozen features run through a twin with every batch norm folded into its convolution
     * ({@link BatchNormFolding}): the same output, about a third fewer layers to run. Built on first use.
     */
    @Override
    public synchronized INDArray features(INDArray nhwc) {
        if (inference == null) {
            inference = new ComputationGraph(ResNet50Graph.buildFolded(variant, size, CNN2DFormat.NHWC));
            inference.init();
            BatchNormFolding.fold(graph, inference);
        }
        return inference.outputSingle(false, nhwc);
    }

    @Override
    public ComputationGraph graph() {
        return graph;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "resnet50");
        m.put("variant", variant.key());
        m.put("pretrained", pretrained ? "imagenet" : "random");
        m.put("weights_file", weightsFile.toString());
        if (pretrained) {
            m.put("sha256", weightsSha256);
        }
        m.put("input_size", size);
        m.put("layout", "NHWC");
        m.put("normalisation", "pixel/255");
        return m;
    }
}

package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * EfficientNet-B0 ({@link EfficientNetB0Graph}) as a feature extractor: 1280 pooled features per image, any input
 * of at least 32 px, channels last like the other backbones. No ImageNet weights for it can be had offline
 * here, and DL4J's Keras import does not take Keras's EfficientNet file (its rescaling and normalisation
 * layers and the broadcasting multiply of squeeze-and-excitation have no DL4J import), so the network starts
 * from He-initialised weights, and only when {@code training.allow-random-weights} says so: frozen random
 * features are a baseline, fine-tuning ({@code training.mode=fine-tune}, {@code training.unfreeze-from}
 * e.g. {@code stem_conv} for all of it) is what trains it.
 */
public final class EfficientNetB0Backbone implements Backbone {
    private final int size;
    private final long seed;
    private final ComputationGraph graph;

    public EfficientNetB0Backbone(int size, boolean allowRandom, long seed) {
        RandomWeights.require(
                "efficientnet-b0",
                allowRandom,
                "DL4J cannot import Keras's EfficientNet file: its rescaling and normalisation layers and the"
                        + " broadcasting multiply of squeeze-and-excitation have no DL4J import");
        if (size < 32) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "training.input-size " + size + " is too small for efficientnet-b0: it halves the image 5"
                            + " times; use 32 or more");
        }
        this.size = size;
        this.seed = seed;
        ComputationGraph g = new ComputationGraph(EfficientNetB0Graph.build(size, 0, seed, null, CNN2DFormat.NHWC));
        g.init();
        this.graph = g;
    }

    @Override
    public String id() {
        // the seed makes the random weights: a frozen model's backbone is rebuilt from it at scoring
        return "efficientnet_b0_random_s" + seed + "_" + size;
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
        m.put("type", "efficientnet-b0");
        m.put("pretrained", "random");
        m.put("seed", seed);
        m.put("input_size", size);
        m.put("layout", "NHWC");
        m.put("normalisation", "pixel/255");
        return m;
    }
}

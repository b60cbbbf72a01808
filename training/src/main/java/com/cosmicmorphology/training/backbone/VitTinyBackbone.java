package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * ViT-Ti/16 ({@link VitTinyGraph}) as a feature extractor: the class token's 192 features after the final layer
 * norm, inputs of a multiple of 16 px, channels last like the other backbones. No ImageNet weights for it can be
 * had offline here (and DL4J imports no Keras or PyTorch transformer), so it starts from ViT's random
 * initialisation, and only when {@code training.allow-random-weights} says so: frozen random features are a
 * baseline, fine-tuning ({@code training.unfreeze-from=patch_embed} for all of it) is what trains it.
 */
public final class VitTinyBackbone implements Backbone {
    private final int size;
    private final long seed;
    private final ComputationGraph graph;

    public VitTinyBackbone(int size, boolean allowRandom, long seed) {
        RandomWeights.require("vit-tiny", allowRandom, "DL4J imports no Keras or PyTorch transformer");
        try {
            VitTinyGraph.checkSize("training.input-size", size);
        } catch (IllegalArgumentException e) {
            throw new CosmicException(ExitCode.USAGE, e.getMessage());
        }
        this.size = size;
        this.seed = seed;
        ComputationGraph g = new ComputationGraph(VitTinyGraph.build(size, 0, seed, null, CNN2DFormat.NHWC));
        g.init();
        this.graph = g;
    }

    @Override
    public String id() {
        // the seed makes the random weights: a frozen model's backbone is rebuilt from it at scoring
        return "vit_tiny_16_random_s" + seed + "_" + size;
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
        m.put("type", "vit-tiny");
        m.put("pretrained", "random");
        m.put("seed", seed);
        m.put("input_size", size);
        m.put("layout", "NHWC");
        m.put("normalisation", "pixel/255");
        return m;
    }
}

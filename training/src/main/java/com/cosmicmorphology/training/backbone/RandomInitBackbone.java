package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A backbone the project builds from its paper and for which no pretrained weights can be had here: it starts
 * from its published random initialisation, and only when {@code training.allow-random-weights} says so. Its
 * id carries the seed, since the seed makes the weights: a frozen model's backbone is rebuilt from it at scoring.
 */
abstract class RandomInitBackbone implements Backbone {
    private final String type;
    private final int size;
    private final long seed;
    private final ComputationGraph graph;

    /**
     * @param type the {@code training.backbone} value
     * @param why why no weights can be had for it, for the message
     * @param conf builds the feature-extractor configuration (channels last) for the size and seed
     */
    RandomInitBackbone(
            String type,
            String why,
            int size,
            boolean allowRandom,
            long seed,
            java.util.function.BiFunction<Integer, Long, ComputationGraphConfiguration> conf) {
        if (!allowRandom) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    type + " has no pretrained weights here (none can be downloaded, and " + why + "); set"
                            + " training.allow-random-weights=true to start from random weights, or use"
                            + " training.backbone=keras-h5 for the pretrained offline backbone");
        }
        this.type = type;
        this.size = size;
        this.seed = seed;
        ComputationGraph g;
        try {
            g = new ComputationGraph(conf.apply(size, seed));
        } catch (IllegalArgumentException e) {
            throw new CosmicException(ExitCode.USAGE, "training.input-size: " + e.getMessage());
        }
        g.init();
        this.graph = g;
    }

    /** The id's stem, e.g. {@code efficientnet_b0}. */
    abstract String idStem();

    @Override
    public String id() {
        return idStem() + "_random_s" + seed + "_" + size;
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
        m.put("type", type);
        m.put("pretrained", "random");
        m.put("seed", seed);
        m.put("input_size", size);
        m.put("layout", "NHWC");
        m.put("normalisation", "pixel/255");
        return m;
    }
}

package com.cosmicmorphology.training.selection;

import com.cosmicmorphology.training.head.HeadKind;
import com.cosmicmorphology.training.head.HeadSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The head hyper-parameters {@code tune} searches: a seeded random sample of a grid (head kind, L2, learning
 * rate, and for the MLP its width and dropout), the configured head always first so every search shows what it
 * improves on. Each trial maps back to the config keys {@code train} takes.
 */
public final class SearchSpace {
    static final double[] L2 = {1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2};
    static final double[] LEARNING_RATE = {0.001, 0.003, 0.01};
    static final int[] HIDDEN = {64, 128, 256};
    static final double[] DROPOUT = {0.2, 0.3, 0.5};

    private SearchSpace() {}

    /** {@code trials} distinct specs (fewer if the grid is smaller), deterministic in the seed. */
    public static List<HeadSpec> sample(HeadSpec configured, int trials, long seed) {
        Set<HeadSpec> out = new LinkedHashSet<>();
        out.add(configured);
        Random r = new Random(seed);
        int grid = L2.length * LEARNING_RATE.length * (1 + HIDDEN.length * DROPOUT.length);
        for (int attempt = 0; out.size() < Math.min(trials, grid) && attempt < 100 * trials; attempt++) {
            HeadKind kind = r.nextBoolean() ? HeadKind.LINEAR : HeadKind.MLP;
            HeadSpec s = configured
                    .withKind(kind)
                    .withL2(L2[r.nextInt(L2.length)])
                    .withLearningRate(LEARNING_RATE[r.nextInt(LEARNING_RATE.length)]);
            s = kind == HeadKind.MLP
                    ? s.withHidden(HIDDEN[r.nextInt(HIDDEN.length)], DROPOUT[r.nextInt(DROPOUT.length)])
                    : s.withHidden(configured.hidden(), configured.dropout());
            out.add(s);
        }
        return new ArrayList<>(out);
    }

    /** The config keys and values that make {@code train} use this head. */
    public static Map<String, String> configOf(HeadSpec s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("training.head", s.kind().key());
        m.put("training.l2", Double.toString(s.l2()));
        m.put("training.learning-rate", Double.toString(s.learningRate()));
        if (s.kind() == HeadKind.MLP) {
            m.put("training.hidden", Integer.toString(s.hidden()));
            m.put("training.dropout", Double.toString(s.dropout()));
        }
        return m;
    }
}

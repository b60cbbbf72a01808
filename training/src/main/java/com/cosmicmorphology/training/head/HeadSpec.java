package com.cosmicmorphology.training.head;

import com.cosmicmorphology.common.config.CosmicConfig;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that defines how a head is trained, except how many epochs: cross-validation chooses those.
 * Serializable: cross-validation folds ship it to Spark tasks.
 */
public record HeadSpec(
        HeadKind kind,
        int hidden,
        double dropout,
        double l2,
        double learningRate,
        int batchSize,
        boolean classWeights,
        long seed)
        implements Serializable {

    /** The configured head hyper-parameters with the given kind. */
    public static HeadSpec of(CosmicConfig.Training t, HeadKind kind) {
        return new HeadSpec(
                kind, t.hidden(), t.dropout(), t.l2(), t.learningRate(), t.batchSize(), t.classWeights(), t.seed());
    }

    public HeadSpec withKind(HeadKind k) {
        return new HeadSpec(k, hidden, dropout, l2, learningRate, batchSize, classWeights, seed);
    }

    public HeadSpec withL2(double v) {
        return new HeadSpec(kind, hidden, dropout, v, learningRate, batchSize, classWeights, seed);
    }

    public HeadSpec withHidden(int h, double d) {
        return new HeadSpec(kind, h, d, l2, learningRate, batchSize, classWeights, seed);
    }

    public HeadSpec withLearningRate(double lr) {
        return new HeadSpec(kind, hidden, dropout, l2, lr, batchSize, classWeights, seed);
    }

    /** Short label for logs and tables, e.g. {@code linear(l2=0.001,lr=0.003)}. */
    public String label() {
        return kind == HeadKind.LINEAR
                ? String.format("linear(l2=%s,lr=%s)", l2, learningRate)
                : String.format("mlp(hidden=%d,dropout=%s,l2=%s,lr=%s)", hidden, dropout, l2, learningRate);
    }

    /** The hyper-parameters as metadata and table values. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("head", kind.key());
        if (kind == HeadKind.MLP) {
            m.put("hidden", hidden);
            m.put("dropout", dropout);
        }
        m.put("l2", l2);
        m.put("learning_rate", learningRate);
        m.put("batch_size", batchSize);
        m.put("class_weights", classWeights);
        m.put("seed", seed);
        return m;
    }
}

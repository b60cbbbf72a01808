package com.cosmicmorphology.training.head;

import com.cosmicmorphology.common.config.ConfigValues;

/** The classification heads a frozen-feature model can have. */
public enum HeadKind {
    /** Softmax regression on the standardised features (L2-regularised): few parameters, hard to overfit. */
    LINEAR,
    /** One hidden ReLU layer with dropout, then softmax. */
    MLP;

    public String key() {
        return ConfigValues.key(this);
    }

    public static HeadKind parse(String s) {
        return ConfigValues.parse(HeadKind.class, "training.head", s);
    }
}

package com.cosmicmorphology.common.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How train trains: the head on frozen backbone features, or the backbone's upper layers with it. */
public enum TrainingMode {
    /** A head on the frozen backbone's cached features. */
    FROZEN,
    /** The backbone from {@code training.unfreeze-from} on, trained with a new head on pixels. */
    FINE_TUNE;

    @JsonValue
    public String key() {
        return ConfigValues.key(this);
    }

    @JsonCreator
    public static TrainingMode parse(String value) {
        return ConfigValues.parse(TrainingMode.class, "training.mode", value);
    }
}

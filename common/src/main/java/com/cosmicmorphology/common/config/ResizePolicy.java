package com.cosmicmorphology.common.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a non-square image becomes a square model input. */
public enum ResizePolicy {
    /** Scale the short side to the size and cut the centre: no borders, edges of wide images lost. */
    CENTER_CROP,
    /** Scale the long side to the size and pad with black (the sky's own colour): nothing lost. */
    PAD;

    @JsonValue
    public String key() {
        return ConfigValues.key(this);
    }

    @JsonCreator
    public static ResizePolicy parse(String value) {
        return ConfigValues.parse(ResizePolicy.class, "inputs.policy", value);
    }
}

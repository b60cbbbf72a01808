package com.cosmicmorphology.common.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where training runs: one JVM, or dl4j-spark on the session's executors. */
public enum DistributedEngine {
    /** Spark whenever the master is not {@code local[...]}. */
    AUTO,
    /** In this JVM. */
    LOCAL,
    /** On the session's executors with dl4j-spark. */
    SPARK;

    @JsonValue
    public String key() {
        return ConfigValues.key(this);
    }

    @JsonCreator
    public static DistributedEngine parse(String value) {
        return ConfigValues.parse(DistributedEngine.class, "training.distributed.engine", value);
    }
}

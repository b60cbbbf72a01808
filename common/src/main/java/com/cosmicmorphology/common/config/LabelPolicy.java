package com.cosmicmorphology.common.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Which label an item gets when several search queries returned it (e.g. a galaxy cluster answers both
 * "galaxy" and "galaxy cluster"). The label is a function of the set of queries alone, so it is the same
 * whatever order the queries ran in, in one run or over several.
 */
public enum LabelPolicy {
    /** The most specific query: most words, then longest, then alphabetical ("galaxy cluster" over "galaxy"). */
    MOST_SPECIFIC,
    /** The alphabetically first query: predictable, ignores meaning. */
    FIRST_ALPHABETICAL,
    /** Items returned by queries with different labels go to quarantine (reason ambiguous_label). */
    QUARANTINE;

    /** The spelling used in YAML and on the command line. */
    @JsonValue
    public String key() {
        return ConfigValues.key(this);
    }

    @JsonCreator
    public static LabelPolicy parse(String value) {
        return ConfigValues.parse(LabelPolicy.class, "nasa.label-policy", value);
    }
}

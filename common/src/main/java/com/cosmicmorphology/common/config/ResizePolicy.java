package com.cosmicmorphology.common.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How a non-square image becomes a square model input. */
public enum ResizePolicy {
  /** Scale the short side to the size and cut the centre: no borders, edges of wide images lost. */
  CENTER_CROP,
  /** Scale the long side to the size and pad with black (the sky's own colour): nothing lost. */
  PAD;

  @JsonValue
  public String key() {
    return name().toLowerCase().replace('_', '-');
  }

  @JsonCreator
  public static ResizePolicy parse(String value) {
    for (ResizePolicy p : values()) {
      if (p.key().equalsIgnoreCase(value) || p.name().equalsIgnoreCase(value)) {
        return p;
      }
    }
    throw new ConfigException("inputs.policy: '" + value + "' is not a resize policy; valid values: "
        + Arrays.stream(values()).map(ResizePolicy::key).collect(Collectors.joining(", ")));
  }
}

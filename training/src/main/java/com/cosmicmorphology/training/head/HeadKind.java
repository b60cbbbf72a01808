package com.cosmicmorphology.training.head;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The classification heads a frozen-feature model can have. */
public enum HeadKind {
  /** Softmax regression on the standardised features (L2-regularised): few parameters, hard to overfit. */
  LINEAR("linear"),
  /** One hidden ReLU layer with dropout, then softmax. */
  MLP("mlp");

  private final String key;

  HeadKind(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  public static HeadKind parse(String s) {
    for (HeadKind k : values()) {
      if (k.key.equals(s)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown head '" + s + "'; valid: "
        + Arrays.stream(values()).map(HeadKind::key).collect(Collectors.joining(", ")));
  }
}

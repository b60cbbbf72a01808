package com.cosmicmorphology.common.testing;

import java.security.MessageDigest;
import java.util.HexFormat;

/** SHA-256 as the images table spells it, for fixtures. */
public final class Hashing {
  private Hashing() {}

  public static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

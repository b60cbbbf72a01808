package com.cosmicmorphology.common.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decoding of image bytes for every job. ImageIO's default wraps a stream in a temporary-file cache: for
 * bytes already in memory that is pure disk I/O, and parallel Spark tasks queue on it. These streams are
 * memory-cached.
 */
public final class Images {
  static {
    ImageIO.setUseCache(false);
  }

  private Images() {}

  /** A memory-cached stream over the bytes, for callers that pick their own ImageReader. */
  public static ImageInputStream stream(byte[] bytes) {
    return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
  }

  /** The decoded image, or null when no decoder recognises the bytes. */
  public static BufferedImage decode(byte[] bytes) throws IOException {
    return ImageIO.read(stream(bytes)); // ImageIO.read closes the stream itself
  }
}

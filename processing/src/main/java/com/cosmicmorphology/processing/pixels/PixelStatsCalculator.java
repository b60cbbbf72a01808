package com.cosmicmorphology.processing.pixels;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Computes {@link PixelStats} from encoded image bytes. Plain Java with no Spark in sight, so the same code
 * runs inside Spark tasks and in the single-thread baseline of {@code bench processing}. Statistics are
 * computed on the image scaled so its long side is at most {@link #WORK_SIDE} px: the same numbers for a
 * photograph and its resized copy, and a bounded cost for huge NASA originals.
 */
public final class PixelStatsCalculator {
  static final int WORK_SIDE = 256;

  private final double darkThreshold;

  public PixelStatsCalculator(double darkThreshold) {
    this.darkThreshold = darkThreshold;
  }

  /** @throws IOException when the bytes do not decode */
  public PixelStats compute(byte[] encoded) throws IOException {
    BufferedImage src = ImageIO.read(new ByteArrayInputStream(encoded));
    if (src == null) {
      throw new IOException("no decoder for these " + encoded.length + " bytes");
    }
    return compute(src);
  }

  public PixelStats compute(BufferedImage src) {
    BufferedImage img = scaleToFit(src, WORK_SIDE);
    int w = img.getWidth();
    int h = img.getHeight();
    int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
    double sr = 0, sg = 0, sb = 0, qr = 0, qg = 0, qb = 0;
    long dark = 0;
    double[] grey = new double[rgb.length];
    for (int i = 0; i < rgb.length; i++) {
      int p = rgb[i];
      double r = ((p >> 16) & 0xff) / 255.0;
      double g = ((p >> 8) & 0xff) / 255.0;
      double b = (p & 0xff) / 255.0;
      sr += r;
      sg += g;
      sb += b;
      qr += r * r;
      qg += g * g;
      qb += b * b;
      double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      grey[i] = y;
      if (y < darkThreshold) {
        dark++;
      }
    }
    int n = rgb.length;
    double mr = sr / n, mg = sg / n, mb = sb / n;
    return new PixelStats(mr, mg, mb, std(qr, mr, n), std(qg, mg, n), std(qb, mb, n),
        0.2126 * mr + 0.7152 * mg + 0.0722 * mb, (double) dark / n, laplacianVariance(grey, w, h), dhash(src),
        signature(src));
  }

  private static double std(double sumSq, double mean, int n) {
    return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  }

  /** Variance of the 4-neighbour Laplacian over the interior pixels. */
  static double laplacianVariance(double[] g, int w, int h) {
    if (w < 3 || h < 3) {
      return 0;
    }
    double s = 0, q = 0;
    int n = 0;
    for (int y = 1; y < h - 1; y++) {
      for (int x = 1; x < w - 1; x++) {
        int i = y * w + x;
        double l = g[i - 1] + g[i + 1] + g[i - w] + g[i + w] - 4 * g[i];
        s += l;
        q += l * l;
        n++;
      }
    }
    double m = s / n;
    return q / n - m * m;
  }

  /** Difference hash: grey 9x8 thumbnail, one bit per horizontal neighbour pair (left brighter than right). */
  public static long dhash(BufferedImage src) {
    BufferedImage small = new BufferedImage(9, 8, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = small.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    // area-average first so the 9x8 cells see the whole image, not a few sampled pixels
    g.drawImage(src.getScaledInstance(9, 8, java.awt.Image.SCALE_AREA_AVERAGING), 0, 0, null);
    g.dispose();
    long bits = 0;
    var raster = small.getRaster();
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        bits <<= 1;
        if (raster.getSample(x, y, 0) > raster.getSample(x + 1, y, 0)) {
          bits |= 1;
        }
      }
    }
    return bits;
  }

  /** 16x16 area-averaged grey thumbnail, 256 bytes. */
  public static byte[] signature(BufferedImage src) {
    BufferedImage small = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = small.createGraphics();
    g.drawImage(src.getScaledInstance(16, 16, java.awt.Image.SCALE_AREA_AVERAGING), 0, 0, null);
    g.dispose();
    byte[] out = new byte[256];
    small.getRaster().getDataElements(0, 0, 16, 16, out);
    return out;
  }

  /** Scales down (never up) so the long side is at most {@code side}; RGB output. */
  public static BufferedImage scaleToFit(BufferedImage src, int side) {
    int w = src.getWidth();
    int h = src.getHeight();
    double f = Math.min(1.0, (double) side / Math.max(w, h));
    int tw = Math.max(1, (int) Math.round(w * f));
    int th = Math.max(1, (int) Math.round(h * f));
    if (f == 1.0 && src.getType() == BufferedImage.TYPE_INT_RGB) {
      return src;
    }
    BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, tw, th, null);
    g.dispose();
    return out;
  }
}

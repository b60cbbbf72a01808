package com.cosmicmorphology.processing.pixels;

import com.cosmicmorphology.common.image.Sharpness;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;

/**
 * Computes {@link PixelStats} from encoded image bytes. Plain Java with no Spark in sight, so the same code
 * runs inside Spark tasks and in the single-thread baseline of {@code bench processing}. Statistics are
 * computed on the image scaled so its long side is at most {@link #WORK_SIDE} px: the same numbers for a
 * photograph and its resized copy, and a bounded cost for huge NASA originals.
 */
public final class PixelStatsCalculator {
    static final int WORK_SIDE = 256;

    /** v / 255.0 for every byte value: the same doubles as dividing, without three divisions per pixel. */
    private static final double[] UNIT = new double[256];

    static {
        for (int v = 0; v < UNIT.length; v++) {
            UNIT[v] = v / 255.0;
        }
    }

    private final double darkThreshold;
    /**
     * The grey image, reused from image to image (one calculator per thread: not thread-safe). At 256 x 256 it
     * is a 512 KB array, which G1 allocates as a humongous object; one per image set off a concurrent marking
     * cycle every ~0.7 s in a Spark executor's fuller heap (measured: ~10% of two cores in the pixel job).
     */
    private double[] grey = new double[0];

    private final com.cosmicmorphology.common.image.DecodeLimits limits;

    public PixelStatsCalculator(double darkThreshold) {
        this(darkThreshold, com.cosmicmorphology.common.image.DecodeLimits.DEFAULT);
    }

    /** Statistics are taken at {@link #WORK_SIDE} pixels: a subsampled decode of a huge image measures the same. */
    public PixelStatsCalculator(double darkThreshold, com.cosmicmorphology.common.image.DecodeLimits limits) {
        this.darkThreshold = darkThreshold;
        this.limits = limits;
    }

    /** @throws IOException when the bytes do not decode ({@link com.cosmicmorphology.common.image.ImageRefused}) */
    public PixelStats compute(byte[] encoded) throws IOException {
        BufferedImage src = com.cosmicmorphology.common.image.Images.decode(encoded, limits);
        if (src == null) {
            throw new IOException("no decoder for these " + encoded.length + " bytes");
        }
        return compute(src);
    }

    public PixelStats compute(BufferedImage src) {
        BufferedImage img = scaleToFit(src, WORK_SIDE);
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = pixels(img);
        double sr = 0, sg = 0, sb = 0, qr = 0, qg = 0, qb = 0;
        long dark = 0;
        if (grey.length < rgb.length) {
            grey = new double[Math.max(rgb.length, WORK_SIDE * WORK_SIDE)];
        }
        double[] grey = this.grey;
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            double r = UNIT[(p >> 16) & 0xff];
            double g = UNIT[(p >> 8) & 0xff];
            double b = UNIT[p & 0xff];
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
        return new PixelStats(
                mr,
                mg,
                mb,
                std(qr, mr, n),
                std(qg, mg, n),
                std(qb, mb, n),
                0.2126 * mr + 0.7152 * mg + 0.0722 * mb,
                (double) dark / n,
                Sharpness.laplacianVariance(grey, w, h),
                dhash(boxMeans(grey, w, h, 9, 8)),
                signature(boxMeans(grey, w, h, 16, 16)));
    }

    /**
     * The packed RGB pixels. {@link #scaleToFit} always hands over TYPE_INT_RGB, whose raster already is that
     * array: read it directly rather than through getRGB's per-pixel colour-model calls (same values, since
     * only the low 24 bits are used).
     */
    private static int[] pixels(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (img.getType() == BufferedImage.TYPE_INT_RGB
                && img.getRaster().getDataBuffer() instanceof java.awt.image.DataBufferInt data
                && img.getRaster().getSampleModel() instanceof java.awt.image.SinglePixelPackedSampleModel sm
                && sm.getScanlineStride() == w
                && data.getNumBanks() == 1
                && data.getOffset() == 0
                && img.getRaster().getSampleModelTranslateX() == 0
                && img.getRaster().getSampleModelTranslateY() == 0
                && data.getData().length == w * h) {
            return data.getData();
        }
        return img.getRGB(0, 0, w, h, null, 0, w);
    }

    private static double std(double sumSq, double mean, int n) {
        return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    }

    /**
     * Area averages of the grey image over a {@code gw x gh} grid (each source pixel counted in the cell its
     * centre falls in). Plain arithmetic on the grey array: no AWT scaling pipeline, whose filters serialise
     * threads and would cap the Spark job's parallelism.
     */
    static double[] boxMeans(double[] grey, int w, int h, int gw, int gh) {
        // the cell of each column and of each row, computed once: per pixel this was two double divisions, and
        // the biggest share of the whole computation (profiled: more than JPEG decoding)
        int[] cellX = cells(w, gw);
        int[] cellY = cells(h, gh);
        double[] sum = new double[gw * gh];
        int[] count = new int[gw * gh];
        for (int y = 0; y < h; y++) {
            int row = cellY[y] * gw;
            int base = y * w;
            for (int x = 0; x < w; x++) {
                int c = row + cellX[x];
                sum[c] += grey[base + x];
                count[c]++;
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] = count[i] == 0 ? 0 : sum[i] / count[i];
        }
        return sum;
    }

    /** For each of {@code n} pixels, the one of {@code cells} cells its centre falls in. */
    private static int[] cells(int n, int cells) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.min(cells - 1, (int) ((i + 0.5) * cells / n));
        }
        return out;
    }

    /** Difference hash of a 9x8 grid: one bit per horizontal neighbour pair (left brighter than right). */
    static long dhash(double[] grid9x8) {
        long bits = 0;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                bits <<= 1;
                if (grid9x8[y * 9 + x] > grid9x8[y * 9 + x + 1]) {
                    bits |= 1;
                }
            }
        }
        return bits;
    }

    /** A 16x16 grid of grey levels as 256 bytes (0..255). */
    static byte[] signature(double[] grid16) {
        byte[] out = new byte[grid16.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Math.round(Math.max(0, Math.min(1, grid16[i])) * 255);
        }
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

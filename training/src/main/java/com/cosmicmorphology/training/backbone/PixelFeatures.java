package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.image.Sharpness;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hand-made statistics of the model input itself, appended to a backbone's features ({@code pixels:stats} in
 * {@code training.feature-layers}): what an ImageNet network pooled over space says little about, and what tells
 * deep-sky classes apart, the colour of the object (H-alpha red of emission nebulae, blue of reflection
 * nebulae, the yellow core of a galaxy), how much of the frame is dark sky, how sharp the image is (star fields
 * against diffuse nebulae), and how light falls off from the centre (a compact galaxy or globular cluster against
 * an extended nebula). The same numbers as {@code eda_pixel_stats} computes from the original (colour, dark
 * fraction, sharpness), but computed here from the model input, so training, evaluation and {@code predict
 * --images} of unseen photographs all see exactly the same function. Every statistic is invariant under the
 * dihedral views (rings are centred), so the views stay views of one image.
 */
public final class PixelFeatures {
    /** Luminance under this is dark sky (the EDA's default {@code eda.dark-threshold}). */
    static final double DARK = 0.15;

    static final double BRIGHT = 0.8;
    static final int RINGS = 4;
    /** Number of features per image. */
    public static final int SIZE = 6 + 3 + 1 + 1 + 3 + RINGS + 3;

    private PixelFeatures() {}

    /** @param nhwc [N, H, W, 3] in [0,1]; returns [N, {@link #SIZE}] */
    public static INDArray of(INDArray nhwc) {
        int n = (int) nhwc.size(0);
        int h = (int) nhwc.size(1);
        int w = (int) nhwc.size(2);
        float[] all = nhwc.dup('c').data().asFloat();
        float[][] out = new float[n][];
        int per = h * w * 3;
        for (int i = 0; i < n; i++) {
            out[i] = one(all, i * per, h, w);
        }
        return Nd4j.create(out);
    }

    /** The statistics of one image stored channels last from {@code off}. */
    static float[] one(float[] px, int off, int h, int w) {
        Sums s = new Sums(h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = off + 3 * (y * w + x);
                s.add(y, x, px[o], px[o + 1], px[o + 2]);
            }
        }
        return s.features();
    }

    /** One pass over an image's pixels: colour moments, luminance, dark/bright counts, rings, the centre. */
    private static final class Sums {
        final int h;
        final int w;
        final int m;
        final double[] sum = new double[3];
        final double[] sq = new double[3];
        final double[] centre = new double[3];
        int centreN;
        final double[] ring = new double[RINGS];
        final int[] ringN = new int[RINGS];
        final double[] lum;
        double sat;
        int dark;
        int bright;
        final double cy;
        final double cx;
        final double rmax;

        Sums(int h, int w) {
            this.h = h;
            this.w = w;
            this.m = h * w;
            this.lum = new double[m];
            this.cy = (h - 1) / 2.0;
            this.cx = (w - 1) / 2.0;
            this.rmax = Math.sqrt(cy * cy + cx * cx);
        }

        void add(int y, int x, double r, double g, double b) {
            sum[0] += r;
            sum[1] += g;
            sum[2] += b;
            sq[0] += r * r;
            sq[1] += g * g;
            sq[2] += b * b;
            double l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
            lum[y * w + x] = l;
            if (l < DARK) {
                dark++;
            } else if (l > BRIGHT) {
                bright++;
            }
            double mx = Math.max(r, Math.max(g, b));
            sat += mx <= 1e-6 ? 0 : (mx - Math.min(r, Math.min(g, b))) / mx;
            double d = Math.sqrt((y - cy) * (y - cy) + (x - cx) * (x - cx)) / rmax;
            int k = Math.min(RINGS - 1, (int) (d * RINGS));
            ring[k] += l;
            ringN[k]++;
            if (d < 0.25) {
                centre[0] += r;
                centre[1] += g;
                centre[2] += b;
                centreN++;
            }
        }

        float[] features() {
            float[] f = new float[SIZE];
            int j = 0;
            for (int c = 0; c < 3; c++) {
                f[j++] = (float) (sum[c] / m);
            }
            for (int c = 0; c < 3; c++) {
                double mean = sum[c] / m;
                f[j++] = (float) Math.sqrt(Math.max(0, sq[c] / m - mean * mean));
            }
            double meanLum = 0.2126 * f[0] + 0.7152 * f[1] + 0.0722 * f[2];
            f[j++] = (float) meanLum;
            f[j++] = (float) dark / m;
            f[j++] = (float) bright / m;
            f[j++] = (float) (sat / m);
            // sharpness: the Laplacian's variance spans orders of magnitude between a star field and a smooth nebula
            f[j++] = (float) Math.log1p(1000 * Sharpness.laplacianVariance(lum, w, h));
            double[] sorted = lum.clone();
            Arrays.sort(sorted);
            for (double q : new double[] {0.5, 0.9, 0.99}) {
                f[j++] = (float) sorted[Math.min(m - 1, (int) (q * m))];
            }
            for (int k = 0; k < RINGS; k++) {
                // relative to the image's mean, so exposure does not drown the profile's shape
                f[j++] = (float) ((ringN[k] == 0 ? 0 : ring[k] / ringN[k]) / (meanLum + 1e-3));
            }
            for (int c = 0; c < 3; c++) {
                f[j++] = (float) (centreN == 0 ? 0 : centre[c] / centreN);
            }
            return f;
        }
    }
}

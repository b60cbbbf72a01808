package com.cosmicmorphology.processing.pixels;

/**
 * What the pixels of one image say, computed once per content hash: per-channel mean and standard
 * deviation (0..1), the fraction of dark-background pixels, a sharpness measure (variance of the Laplacian
 * of the grey image; low = blurred or flat, very high = noisy), and a 64-bit difference hash for finding
 * near-duplicate candidates (resized or re-encoded copies differ by a few bits), and a 16x16 grey
 * signature that confirms them.
 */
public record PixelStats(
        double meanR,
        double meanG,
        double meanB,
        double stdR,
        double stdG,
        double stdB,
        double brightness,
        double darkFraction,
        double sharpness,
        long dhash,
        byte[] signature) {

    /**
     * Pearson correlation of two 16x16 grey signatures: near 1 for the same picture at another size or
     * quality, much lower for two different objects even when both are a bright blob on black (where
     * difference hashes agree by accident). Flat signatures correlate with nothing (0).
     */
    public static double correlation(byte[] a, byte[] b) {
        int n = a.length;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i] & 0xff;
            mb += b[i] & 0xff;
        }
        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++) {
            double x = (a[i] & 0xff) - ma;
            double y = (b[i] & 0xff) - mb;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }
}

package com.cosmicmorphology.common.image;

/**
 * How sharp a grey image is: the variance of its 4-neighbour Laplacian over the interior pixels. A star field
 * scores high, a smooth nebula or a blurred frame low. One definition for the EDA's pixel statistics and the
 * model's pixel features, so both say the same thing of one image.
 */
public final class Sharpness {
    private Sharpness() {}

    /** @param grey row-major luminance, {@code w * h} values */
    public static double laplacianVariance(double[] grey, int w, int h) {
        if (w < 3 || h < 3) {
            return 0;
        }
        double s = 0;
        double q = 0;
        int n = 0;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int i = y * w + x;
                double l = grey[i - 1] + grey[i + 1] + grey[i - w] + grey[i + w] - 4 * grey[i];
                s += l;
                q += l * l;
                n++;
            }
        }
        double mean = s / n;
        return q / n - mean * mean;
    }
}

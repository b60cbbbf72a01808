package com.cosmicmorphology.training.head;

/** Per-feature mean and standard deviation from the training set, applied to every set alike. */
public record Standardiser(float[] mean, float[] std) {
    public static Standardiser fit(float[][] x) {
        int d = x[0].length;
        float[] m = new float[d];
        float[] s = new float[d];
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                m[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            m[j] /= x.length;
        }
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                s[j] += (r[j] - m[j]) * (r[j] - m[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            s[j] = (float) Math.max(1e-6, Math.sqrt(s[j] / x.length));
        }
        return new Standardiser(m, s);
    }

    public float[] apply(float[] r) {
        float[] o = new float[r.length];
        for (int j = 0; j < r.length; j++) {
            o[j] = (r[j] - mean[j]) / std[j];
        }
        return o;
    }
}

package com.cosmicmorphology.processing.synthetic;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One synthetic variant of a square HWC RGB model input, drawn from a seed: what another exposure of the same
 * object could look like. The sky has no up, so the geometry is free: a rotation by any angle, a mirror, a zoom
 * of 1.0-1.3 and a shift of up to 6% (borders reflected, not black: a black wedge would be a cue no real
 * photograph has). Then what differs between telescopes and nights: seeing (a Gaussian blur of 0-1.4 px), the
 * processing stretch (gamma 0.7-1.4), the colour balance of the filters (per-channel gain 0.88-1.12), the black
 * level (±0.03), and sensor noise (read noise up to 0.02, shot noise growing with the signal). Images are not
 * mixed with each other: a blend of a galaxy and a nebula has no true class, and the head trains on hard labels.
 * Any change to the drawing bumps {@link com.cosmicmorphology.common.image.SyntheticRecipe#VERSION}.
 */
public final class SyntheticImage {
    /** The pixels and the parameters drawn for them (stored beside the pixels, for whoever inspects them). */
    public record Variant(byte[] pixels, String transform) {}

    private SyntheticImage() {}

    public static Variant of(byte[] hwc, int size, long seed) {
        if (hwc.length != size * size * 3) {
            throw new IllegalArgumentException(
                    "model input has " + hwc.length + " bytes, not " + size + "x" + size + "x3");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double angle = rnd.nextDouble(0, 2 * Math.PI);
        boolean mirror = rnd.nextBoolean();
        double zoom = rnd.nextDouble(1.0, 1.3);
        double dx = rnd.nextDouble(-0.06, 0.06) * size;
        double dy = rnd.nextDouble(-0.06, 0.06) * size;
        double blur = rnd.nextDouble(0, 1.4);
        double gamma = Math.exp(rnd.nextDouble(Math.log(0.7), Math.log(1.4)));
        double[] gain = {rnd.nextDouble(0.88, 1.12), rnd.nextDouble(0.88, 1.12), rnd.nextDouble(0.88, 1.12)};
        double black = rnd.nextDouble(-0.03, 0.03);
        double readNoise = rnd.nextDouble(0, 0.02);
        double shot = rnd.nextDouble(0, 0.0015);

        float[] img = warp(hwc, size, angle, mirror, zoom, dx, dy);
        if (blur >= 0.3) {
            img = gaussianBlur(img, size, blur);
        }
        byte[] out = new byte[hwc.length];
        for (int i = 0; i < img.length; i++) {
            double v = Math.max(0, img[i]);
            v = Math.pow(v, gamma) * gain[i % 3] + black;
            double sd = Math.sqrt(readNoise * readNoise + shot * Math.max(0, v));
            v += sd * gaussian(rnd);
            out[i] = (byte) Math.round(Math.min(1, Math.max(0, v)) * 255);
        }
        String transform = String.format(
                Locale.ROOT,
                "rotate=%.1fdeg mirror=%b zoom=%.3f shift=%.1f,%.1fpx blur=%.2fpx gamma=%.3f gain=%.3f,%.3f,%.3f "
                        + "black=%+.3f read_noise=%.4f shot=%.5f",
                Math.toDegrees(angle),
                mirror,
                zoom,
                dx,
                dy,
                blur < 0.3 ? 0.0 : blur,
                gamma,
                gain[0],
                gain[1],
                gain[2],
                black,
                readNoise,
                shot);
        return new Variant(out, transform);
    }

    /** Inverse mapping with bilinear interpolation; coordinates outside the image reflect back into it. */
    static float[] warp(byte[] hwc, int size, double angle, boolean mirror, double zoom, double dx, double dy) {
        float[] out = new float[size * size * 3];
        double c = size / 2.0 - 0.5;
        double cos = Math.cos(angle) / zoom;
        double sin = Math.sin(angle) / zoom;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double ox = (mirror ? size - 1 - x : x) - c - dx;
                double oy = y - c - dy;
                double sx = cos * ox - sin * oy + c;
                double sy = sin * ox + cos * oy + c;
                int x0 = (int) Math.floor(sx);
                int y0 = (int) Math.floor(sy);
                double fx = sx - x0;
                double fy = sy - y0;
                int ax = reflect(x0, size);
                int bx = reflect(x0 + 1, size);
                int ay = reflect(y0, size);
                int by = reflect(y0 + 1, size);
                for (int ch = 0; ch < 3; ch++) {
                    double v = (1 - fy) * ((1 - fx) * px(hwc, size, ax, ay, ch) + fx * px(hwc, size, bx, ay, ch))
                            + fy * ((1 - fx) * px(hwc, size, ax, by, ch) + fx * px(hwc, size, bx, by, ch));
                    out[(y * size + x) * 3 + ch] = (float) v;
                }
            }
        }
        return out;
    }

    private static double px(byte[] hwc, int size, int x, int y, int ch) {
        return (hwc[(y * size + x) * 3 + ch] & 0xff) / 255.0;
    }

    /** Mirror reflection about the edges (…2 1 0 | 0 1 2 … n-1 | n-1 n-2 …), for any distance outside. */
    static int reflect(int i, int n) {
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
    }

    /** Separable Gaussian blur, kernel radius 3 sigma, edges reflected. */
    static float[] gaussianBlur(float[] img, int size, double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        float[] tmp = new float[img.length];
        float[] out = new float[img.length];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    double v = 0;
                    for (int i = -r; i <= r; i++) {
                        v += k[i + r] * img[(y * size + reflect(x + i, size)) * 3 + ch];
                    }
                    tmp[(y * size + x) * 3 + ch] = (float) v;
                }
            }
        }
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    double v = 0;
                    for (int i = -r; i <= r; i++) {
                        v += k[i + r] * tmp[(reflect(y + i, size) * size + x) * 3 + ch];
                    }
                    out[(y * size + x) * 3 + ch] = (float) v;
                }
            }
        }
        return out;
    }

    /** A standard normal deviate (Box-Muller) from the variant's own stream. */
    private static double gaussian(SplittableRandom rnd) {
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}

package com.cosmicmorphology.common.image;

import com.cosmicmorphology.common.config.CosmicConfig;
import java.io.Serializable;

/**
 * How many pixels a decode may produce. An image file declares its size in its header, and a small file can
 * declare a huge one (a 1.5 MB PNG of 40000 x 40000 grey pixels inflates to 1.6 GB): the header is read
 * first, an image over {@code maxDecodedPixels} is decoded subsampled (every n-th row and column, which is
 * all that hashing of pixels, statistics, thumbnails and 224-pixel model inputs need), and one over
 * {@code maxDeclaredPixels} is refused without decoding. Serializable: Spark tasks carry it to executors.
 */
public record DecodeLimits(long maxDecodedPixels, long maxDeclaredPixels) implements Serializable {
    /** The built-in defaults of {@code decode.*}, for callers without a configuration (tests, tools). */
    public static final DecodeLimits DEFAULT = new DecodeLimits(16_777_216L, 1_000_000_000L);

    public DecodeLimits {
        if (maxDecodedPixels < 1 || maxDeclaredPixels < maxDecodedPixels) {
            throw new IllegalArgumentException("decode limits need 1 <= max-decoded-pixels (" + maxDecodedPixels
                    + ") <= max-declared-pixels (" + maxDeclaredPixels + ")");
        }
    }

    public static DecodeLimits of(CosmicConfig config) {
        return new DecodeLimits(
                config.decode().maxDecodedPixels(), config.decode().maxDeclaredPixels());
    }

    /** The smallest subsampling step that brings a width x height image within the decoded budget. */
    public int subsampling(long width, long height) {
        long pixels = width * height;
        if (pixels <= maxDecodedPixels) {
            return 1;
        }
        int step = (int) Math.ceil(Math.sqrt((double) pixels / maxDecodedPixels));
        // ceil of the square root can still leave ceil(w/s)*ceil(h/s) a little over the budget: step up until not
        while (ceilDiv(width, step) * ceilDiv(height, step) > maxDecodedPixels) {
            step++;
        }
        return step;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}

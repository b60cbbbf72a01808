package com.cosmicmorphology.common.image;

import java.awt.image.BufferedImage;

/**
 * A decoded image and what its header declared. {@code width}/{@code height} are the file's own size;
 * {@code pixels} may be smaller by {@code subsampling} (1 = full size). {@code warning} is the decoder's
 * first warning (a truncated JPEG often "decodes" with one and grey rows), or null.
 */
public record DecodedImage(
        BufferedImage pixels, String format, int width, int height, int subsampling, String warning) {}

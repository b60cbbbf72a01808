package com.cosmicmorphology.ingest.image;

import com.cosmicmorphology.common.image.DecodeLimits;
import com.cosmicmorphology.common.image.DecodedImage;
import com.cosmicmorphology.common.image.ImageRefused;
import com.cosmicmorphology.common.image.Images;

/**
 * Decodes an image once, completely, to prove it is usable, and records format, size and SHA-256.
 * Decoding goes through the project's guarded decoder ({@link Images#read}): the header's declared size is
 * checked first, so a small file declaring a huge image is subsampled or refused instead of exhausting the
 * heap. The TwelveMonkeys JPEG plugin is on the classpath (CMYK/YCCK and slightly broken JPEGs that the JDK
 * reader refuses). A truncated JPEG often "decodes" with a warning and grey rows: warnings are treated as
 * corruption, so such images go to quarantine instead of training.
 */
public final class ImageInspector {
    /** Thrown with a quarantine reason code: undecodable, unsupported_format or too_many_pixels. */
    public static final class Rejected extends Exception {
        private final String reason;

        public Rejected(String reason, String detail) {
            super(detail);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private final DecodeLimits limits;

    public ImageInspector() {
        this(DecodeLimits.DEFAULT);
    }

    public ImageInspector(DecodeLimits limits) {
        this.limits = limits;
    }

    public InspectedImage inspect(byte[] bytes) throws Rejected {
        String sha = sha256(bytes);
        DecodedImage image;
        try {
            image = Images.read(bytes, limits);
        } catch (ImageRefused e) {
            throw new Rejected(e.reason(), e.getMessage());
        }
        if (image.warning() != null) {
            throw new Rejected("undecodable", image.format() + " decoded with a warning: " + image.warning());
        }
        // the declared size: a subsampled decode is still this image
        return new InspectedImage(image.format(), image.width(), image.height(), sha);
    }

    public static String sha256(byte[] bytes) {
        return com.cosmicmorphology.common.image.Hashes.sha256(bytes);
    }
}

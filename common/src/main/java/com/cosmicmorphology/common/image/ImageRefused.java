package com.cosmicmorphology.common.image;

import java.io.IOException;

/**
 * An image the decoder will not (or cannot) turn into pixels, with a stable reason code for the quarantine
 * table: {@code unsupported_format} (no decoder recognises the bytes), {@code too_many_pixels} (the header
 * declares more than {@code decode.max-declared-pixels}), {@code undecodable} (a decoder failed on it).
 */
public final class ImageRefused extends IOException {
    private final String reason;

    public ImageRefused(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public ImageRefused(String reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}

package com.cosmicmorphology.testkit.replay;

import java.util.Map;

/**
 * A scripted misbehaviour of the replay server for the next matching request: an HTTP status with
 * headers (429 + Retry-After, 503...), or a stall (no answer for {@code stallMs}, then the real answer).
 */
public record Fault(int status, Map<String, String> headers, String body, long stallMs) {
    public static Fault status(int status, Map<String, String> headers) {
        String body = status == 429
                ? "{\"error\":{\"code\":\"OVER_RATE_LIMIT\",\"message\":\"You have exceeded your rate limit.\"}}"
                : "{\"reason\":\"HTTP " + status + " scripted by the replay server\"}";
        return new Fault(status, headers, body, 0);
    }

    public static Fault stall(long millis) {
        return new Fault(0, Map.of(), null, millis);
    }
}

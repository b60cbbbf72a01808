package com.cosmicmorphology.ingest.http;

/**
 * Result of one HTTP GET after retries: the body, or a short reason code and a human detail. Reason codes
 * end up in the quarantine table, so they are stable: download_http_error, download_timeout,
 * download_unreachable, download_truncated, rate_limited, too_large, too_many_redirects, url_refused.
 */
public record FetchOutcome(byte[] body, String reason, String detail, int attempts) {
    public static FetchOutcome ok(byte[] body, int attempts) {
        return new FetchOutcome(body, null, null, attempts);
    }

    public static FetchOutcome failed(String reason, String detail, int attempts) {
        return new FetchOutcome(null, reason, detail, attempts);
    }

    public boolean isOk() {
        return body != null;
    }
}

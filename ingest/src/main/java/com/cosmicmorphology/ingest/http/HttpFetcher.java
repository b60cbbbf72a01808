package com.cosmicmorphology.ingest.http;

import com.cosmicmorphology.common.config.CosmicConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GETs with the manners a public API expects: connect and read timeouts (the read timeout is per socket
 * read, so a response that stalls halfway is cut too), bounded retries of 5xx, timeouts and connection
 * failures with exponential backoff and jitter, 429 honoured with its Retry-After, a shared slow-down
 * when X-RateLimit-Remaining runs low, a maximum body size, a body shorter than its Content-Length retried
 * as download_truncated, and only URLs (every redirect hop included) that the {@link UrlPolicy} admits.
 * Thread-safe.
 *
 * <p>HttpURLConnection rather than java.net.http: its read timeout applies to every read, which is what
 * catches a stalled body; the JDK pools keep-alive connections for it.
 */
public final class HttpFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFetcher.class);

    private final CosmicConfig.Http conf;
    private final Backoff backoff;
    private final RateLimitGate gate;
    private final UrlPolicy policy;
    static final int MAX_REDIRECTS = 5;

    public HttpFetcher(CosmicConfig.Http conf, RateLimitGate gate, UrlPolicy policy) {
        this.conf = conf;
        this.backoff = new Backoff(conf.backoffBaseMs(), conf.backoffMaxMs());
        this.gate = gate;
        this.policy = policy;
    }

    public RateLimitGate gate() {
        return gate;
    }

    /**
     * GET {@code url}; never throws for HTTP or network failures: they come back as a reason code. Redirects are
     * followed here, not by the JDK, so that every hop passes the {@link UrlPolicy} (at most
     * {@value #MAX_REDIRECTS} hops).
     */
    public FetchOutcome get(String url, long maxBytes) throws InterruptedException {
        String refused = policy.refusal(url);
        if (refused != null) {
            return FetchOutcome.failed("url_refused", refused, 0);
        }
        Attempt last = Attempt.retry("download_unreachable", "");
        int rateLimitedWaits = 0;
        for (int attempt = 0; attempt <= conf.maxRetries(); attempt++) {
            gate.awaitOpen();
            last = once(url, maxBytes, attempt, rateLimitedWaits);
            if (last.outcome() != null) {
                return last.outcome();
            }
            if (last.rateLimited()) {
                rateLimitedWaits++; // the gate already waited as the server asked: no backoff on top
            } else {
                sleepBeforeRetry(attempt, url, last.detail());
            }
        }
        return FetchOutcome.failed(
                last.reason(),
                last.detail() + " after " + (conf.maxRetries() + 1) + " attempts",
                conf.maxRetries() + 1);
    }

    /** How one attempt ended: with an outcome to return, or with a failure worth another attempt. */
    private record Attempt(FetchOutcome outcome, String reason, String detail, boolean rateLimited) {
        static Attempt done(FetchOutcome outcome) {
            return new Attempt(outcome, null, null, false);
        }

        static Attempt retry(String reason, String detail) {
            return new Attempt(null, reason, detail, false);
        }
    }

    private Attempt once(String url, long maxBytes, int attempt, int rateLimitedWaits) throws InterruptedException {
        HttpURLConnection c = null;
        boolean readingBody = false;
        try {
            Exchange x = exchange(url, attempt);
            if (x.failure() != null) {
                return Attempt.done(x.failure());
            }
            c = x.connection();
            int status = c.getResponseCode();
            observeRateLimit(c);
            if (status == 429) {
                return rateLimited(c, url, attempt);
            }
            if (status >= 500) {
                drain(c.getErrorStream());
                return Attempt.retry("download_http_error", "HTTP " + status);
            }
            if (status >= 300 || status < 200) {
                drain(c.getErrorStream());
                return Attempt.done(FetchOutcome.failed("download_http_error", "HTTP " + status, attempt + 1));
            }
            readingBody = true;
            return body(c, maxBytes, attempt, rateLimitedWaits);
        } catch (SocketTimeoutException e) {
            return Attempt.retry("download_timeout", "timed out (" + e.getMessage() + ")");
        } catch (IOException | IllegalArgumentException e) {
            // a body that breaks off (chunked or not) is truncated; failing before the answer is unreachable
            return Attempt.retry(
                    readingBody ? "download_truncated" : "download_unreachable",
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            if (c != null && Thread.currentThread().isInterrupted()) {
                c.disconnect();
            }
        }
    }

    /** HTTP 429: wait as Retry-After asks (through the shared gate), unless it asks for longer than allowed. */
    private Attempt rateLimited(HttpURLConnection c, String url, int attempt) throws InterruptedException {
        long waitMs = retryAfterMs(c.getHeaderField("Retry-After"), attempt);
        drain(c.getErrorStream());
        if (waitMs > conf.maxRetryAfterS() * 1000L) {
            return Attempt.done(FetchOutcome.failed(
                    "rate_limited",
                    "HTTP 429 asks to wait " + waitMs / 1000 + " s, over nasa.http.max-retry-after-s="
                            + conf.maxRetryAfterS(),
                    attempt + 1));
        }
        LOG.info("HTTP 429 from {}: waiting {} ms (Retry-After)", hostOf(url), waitMs);
        gate.pauseFor(waitMs);
        return new Attempt(null, "rate_limited", "HTTP 429", true);
    }

    /** A 2xx body, within {@code maxBytes}; a body shorter than its Content-Length is retried. */
    private Attempt body(HttpURLConnection c, long maxBytes, int attempt, int rateLimitedWaits) throws IOException {
        long declared = c.getContentLengthLong();
        if (declared > maxBytes) {
            return Attempt.done(FetchOutcome.failed(
                    "too_large", declared + " bytes declared, over the limit of " + maxBytes, attempt + 1));
        }
        byte[] body = readLimited(c.getInputStream(), maxBytes);
        if (body == null) {
            return Attempt.done(
                    FetchOutcome.failed("too_large", "body over the limit of " + maxBytes + " bytes", attempt + 1));
        }
        if (declared >= 0 && body.length < declared) {
            // the connection closed early: a network fault, not a broken image, so it is retried
            return Attempt.retry(
                    "download_truncated",
                    "body ended after " + body.length + " of " + declared + " bytes (Content-Length)");
        }
        return Attempt.done(FetchOutcome.ok(body, attempt + 1 + rateLimitedWaits));
    }

    /** The connection of the last hop (its response not yet read), or why the chain was refused. */
    private record Exchange(HttpURLConnection connection, FetchOutcome failure) {}

    private Exchange exchange(String url, int attempt) throws IOException {
        String target = url;
        for (int hop = 0; ; hop++) {
            java.net.URLConnection raw = URI.create(target).toURL().openConnection();
            if (!(raw instanceof HttpURLConnection c)) { // the policy admits http(s) only; never trust one check
                return new Exchange(
                        null, FetchOutcome.failed("url_refused", "not an HTTP URL: " + target, attempt + 1));
            }
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout(conf.connectTimeoutMs());
            c.setReadTimeout(conf.readTimeoutMs());
            c.setRequestProperty("User-Agent", conf.userAgent());
            c.setRequestProperty("Accept", "application/json, image/*");
            int status = c.getResponseCode();
            if (status < 300 || status >= 400 || status == 304) {
                return new Exchange(c, null);
            }
            String location = c.getHeaderField("Location");
            drain(c.getErrorStream());
            if (location == null || location.isBlank()) {
                return new Exchange(
                        null,
                        FetchOutcome.failed(
                                "download_http_error",
                                "HTTP " + status + " redirect without a Location header",
                                attempt + 1));
            }
            if (hop >= MAX_REDIRECTS) {
                return new Exchange(
                        null,
                        FetchOutcome.failed(
                                "too_many_redirects",
                                "more than " + MAX_REDIRECTS + " redirects from " + url,
                                attempt + 1));
            }
            String next;
            try {
                next = URI.create(target).resolve(location.trim()).toString();
            } catch (IllegalArgumentException e) {
                return new Exchange(
                        null,
                        FetchOutcome.failed("url_refused", "redirect to an invalid URL: " + location, attempt + 1));
            }
            String refused = policy.refusal(next);
            if (refused != null) {
                return new Exchange(
                        null,
                        FetchOutcome.failed("url_refused", "redirect hop " + (hop + 1) + ": " + refused, attempt + 1));
            }
            target = next;
        }
    }

    private void sleepBeforeRetry(int attempt, String url, String why) throws InterruptedException {
        if (attempt < conf.maxRetries()) {
            long d = backoff.delayMs(attempt);
            LOG.debug("{} from {}; retry {} in {} ms", why, hostOf(url), attempt + 1, d);
            Thread.sleep(d);
        }
    }

    private void observeRateLimit(HttpURLConnection c) {
        String remaining = c.getHeaderField("X-RateLimit-Remaining");
        if (remaining == null) {
            return;
        }
        try {
            if (Long.parseLong(remaining.trim()) <= conf.rateLimitLowWatermark()) {
                gate.pauseFor(conf.rateLimitPauseMs());
            }
        } catch (NumberFormatException ignored) {
            // a malformed header is the server's problem, not a reason to fail the download
        }
    }

    /** Retry-After is either delta-seconds or an HTTP date; absent, fall back to our own backoff. */
    long retryAfterMs(String header, int attempt) {
        if (header == null || header.isBlank()) {
            return backoff.delayMs(attempt);
        }
        try {
            return Math.max(0, Long.parseLong(header.trim()) * 1000L);
        } catch (NumberFormatException e) {
            try {
                Instant when = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                return Math.max(0, when.toEpochMilli() - System.currentTimeMillis());
            } catch (DateTimeParseException e2) {
                return backoff.delayMs(attempt);
            }
        }
    }

    private static byte[] readLimited(InputStream in, long maxBytes) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > maxBytes) {
                    return null;
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** Reads an error body to the end so the connection goes back to the keep-alive pool. */
    private static void drain(InputStream in) {
        if (in == null) {
            return;
        }
        try (in) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the connection is dropped instead of reused: harmless
        }
    }

    private static String hostOf(String url) {
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }
}

package com.cosmicmorphology.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.config.ConfigLoader;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.ingest.NasaSample;
import com.cosmicmorphology.testkit.replay.Fault;
import com.cosmicmorphology.testkit.replay.NasaReplayServer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retry, rate-limit and size behaviour of the HTTP client against the replay server. */
class HttpFetcherTest {
    private NasaReplayServer server;
    private String asset;

    @BeforeEach
    void start() {
        server = NasaReplayServer.recordings(NasaSample.dir());
        asset = server.baseUrl() + "/image/STL-ic1613/STL-ic1613~thumb.jpg";
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static HttpFetcher fetcher(Map<String, String> settings) {
        CosmicConfig c = new ConfigLoader().load(null, Map.of(), settings);
        return new HttpFetcher(c.nasa().http(), new RateLimitGate(), UrlPolicy.anyHttpHost());
    }

    private static final Map<String, String> FAST = Map.of(
            "nasa.http.backoff-base-ms", "10", "nasa.http.backoff-max-ms", "40", "nasa.http.read-timeout-ms", "500");

    @Test
    void lowRemainingQuotaSlowsEveryoneDown() throws Exception {
        server.rateLimit(3);
        var settings = new java.util.HashMap<>(FAST);
        settings.put("nasa.http.rate-limit-low-watermark", "1");
        settings.put("nasa.http.rate-limit-pause-ms", "300");
        HttpFetcher f = fetcher(settings);
        long t0 = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            assertThat(f.get(asset, 1_000_000).isOk()).isTrue();
        }
        assertThat(f.gate().pauses()).isEqualTo(3); // remaining 2, 1, 0, 0: the last three are at or under 1
        assertThat((System.nanoTime() - t0) / 1e6).isGreaterThanOrEqualTo(300);
    }

    @Test
    void retryAfterBeyondTheLimitIsGivenUpOnAsRateLimited() throws Exception {
        var settings = new java.util.HashMap<>(FAST);
        settings.put("nasa.http.max-retry-after-s", "2");
        server.script("/image/", Fault.status(429, Map.of("Retry-After", "3600")), 1);
        FetchOutcome o = fetcher(settings).get(asset, 1_000_000);
        assertThat(o.reason()).isEqualTo("rate_limited");
        assertThat(o.detail()).contains("3600 s").contains("max-retry-after-s=2");
    }

    @Test
    void aStallIsCutByTheReadTimeoutAndRetried() throws Exception {
        server.script("/image/", Fault.stall(2000), 1);
        FetchOutcome o = fetcher(FAST).get(asset, 1_000_000);
        assertThat(o.isOk()).isTrue();
        assertThat(o.attempts()).isEqualTo(2);
    }

    @Test
    void timeoutsExhaustedAreReportedAsTimeout() throws Exception {
        server.script("/image/", Fault.stall(2000), 3);
        var settings = new java.util.HashMap<>(FAST);
        settings.put("nasa.http.max-retries", "2");
        FetchOutcome o = fetcher(settings).get(asset, 1_000_000);
        assertThat(o.reason()).isEqualTo("download_timeout");
        assertThat(o.attempts()).isEqualTo(3);
    }

    @Test
    void bodiesOverTheSizeLimitAreRefused() throws Exception {
        FetchOutcome o = fetcher(FAST).get(asset, 100);
        assertThat(o.reason()).isEqualTo("too_large");
    }

    @Test
    void backoffGrowsAndStaysBounded() {
        Backoff b = new Backoff(100, 1000);
        for (int i = 0; i < 50; i++) {
            assertThat(b.delayMs(0)).isBetween(50L, 100L);
            assertThat(b.delayMs(2)).isBetween(200L, 400L);
            assertThat(b.delayMs(30)).isBetween(500L, 1000L);
        }
    }
}

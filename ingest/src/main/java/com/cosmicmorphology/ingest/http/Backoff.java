package com.cosmicmorphology.ingest.http;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": half the exponential step is kept, half is random, so retries
 * of many threads spread out yet never retry immediately. Bounded by {@code maxMs}.
 */
public record Backoff(long baseMs, long maxMs) {
    public long delayMs(int attempt) {
        long exp = baseMs << Math.min(attempt, 20);
        long cap = Math.min(maxMs, exp <= 0 ? maxMs : exp);
        long half = cap / 2;
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }
}

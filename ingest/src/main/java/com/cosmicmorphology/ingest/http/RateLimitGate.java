package com.cosmicmorphology.ingest.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One gate shared by every download thread: a 429 or a low {@code X-RateLimit-Remaining} pushes a pause
 * deadline, and every thread waits it out before its next request (not just the one that was told).
 */
public final class RateLimitGate {
    private final AtomicLong pausedUntilNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong pauses = new AtomicLong();

    public void pauseFor(long millis) {
        long until = System.nanoTime() + millis * 1_000_000L;
        pausedUntilNanos.accumulateAndGet(until, Math::max);
        pauses.incrementAndGet();
    }

    public void awaitOpen() throws InterruptedException {
        while (true) {
            long wait = pausedUntilNanos.get() - System.nanoTime();
            if (wait <= 0) {
                return;
            }
            Thread.sleep(Math.max(1, wait / 1_000_000L));
        }
    }

    /** How many times a pause was set (reported by the ingest summary). */
    public long pauses() {
        return pauses.get();
    }
}

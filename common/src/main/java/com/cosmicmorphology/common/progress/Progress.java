package com.cosmicmorphology.common.progress;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a long run as log lines, at most one per interval (plus a final one), so a run of hours in
 * Airflow's log stays readable: {@code ingest nasa: pages 12, images 1200/3000, 45.2 MB, 210.3 img/s}.
 * Thread-safe: download threads count, one caller prints.
 */
public final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final String name;
    private final long intervalNanos;
    private final long startNanos = System.nanoTime();
    private final AtomicLong lastReport = new AtomicLong(System.nanoTime());
    private final AtomicLong pages = new AtomicLong();
    private final AtomicLong items = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile long expected = -1;

    public Progress(String name, Duration interval) {
        this.name = name;
        this.intervalNanos = interval.toNanos();
    }

    public void expect(long total) {
        expected = total;
    }

    public void page() {
        pages.incrementAndGet();
        maybeReport();
    }

    public void item(long itemBytes) {
        items.incrementAndGet();
        bytes.addAndGet(itemBytes);
        maybeReport();
    }

    public void rejected() {
        rejected.incrementAndGet();
        maybeReport();
    }

    public long items() {
        return items.get();
    }

    public long bytes() {
        return bytes.get();
    }

    public double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Logs a line if the interval has passed since the last one; cheap otherwise. */
    public void maybeReport() {
        long now = System.nanoTime();
        long last = lastReport.get();
        if (now - last >= intervalNanos && lastReport.compareAndSet(last, now)) {
            LOG.info(line());
        }
    }

    public void done() {
        LOG.info(line() + " (done)");
    }

    public String line() {
        double s = Math.max(seconds(), 1e-9);
        String of = expected >= 0 ? "/" + expected : "";
        return String.format(
                "%s: pages %d, images %d%s, rejected %d, %.1f MB, %.1f img/s, %.1f MB/s, %.0f s",
                name,
                pages.get(),
                items.get(),
                of,
                rejected.get(),
                bytes.get() / 1e6,
                items.get() / s,
                bytes.get() / 1e6 / s,
                s);
    }
}

package com.cosmicmorphology.ingest.nasa;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Starts downloads while the crawl is still paging, so that the network never waits on the crawl. An item's
 * label depends on every query of the run, so only the bytes are fetched early: the label is attached when
 * the batch is written, and a download whose item ends up rejected (an ambiguous label, say) is dropped.
 * Only items the lake does not hold yet are started (known once the lake's state has been read), and at most
 * {@code cap} ahead of the writer: the job's two batches of bytes in memory stay two.
 */
final class Prefetcher<T> {
    private final ExecutorService pool;
    private final int cap;
    private final CompletableFuture<NasaIngestJob.LakeState> known;
    private final Set<String> permanent;
    private final Function<NasaItem, Callable<T>> task;
    private final List<NasaItem> seen = new ArrayList<>();
    private final Map<String, Future<T>> started = new HashMap<>();
    private int cursor;

    Prefetcher(
            ExecutorService pool,
            int cap,
            CompletableFuture<NasaIngestJob.LakeState> known,
            Set<String> permanent,
            Function<NasaItem, Callable<T>> task) {
        this.pool = pool;
        this.cap = cap;
        this.known = known;
        this.permanent = permanent;
        this.task = task;
    }

    /** An item the crawl found for the first time in this run, in crawl order. */
    void seen(NasaItem item) {
        seen.add(item);
    }

    /** Starts what may start now; never blocks (before the lake's state is known, nothing starts). */
    void pump() {
        if (!known.isDone() || known.isCompletedExceptionally()) {
            return;
        }
        NasaIngestJob.LakeState lake = known.join();
        while (cursor < seen.size() && started.size() < cap) {
            NasaItem i = seen.get(cursor++);
            if ("image".equalsIgnoreCase(i.mediaType())
                    && i.previewUrl() != null
                    && !lake.labels().containsKey(i.imageId())
                    && !permanent.contains(lake.quarantined().getOrDefault(i.imageId(), ""))) {
                started.put(i.imageId(), pool.submit(task.apply(i)));
            }
        }
    }

    /** The item's download: the one the crawl started, else one submitted now (either is then the caller's). */
    Future<T> takeOrSubmit(NasaItem item) {
        Future<T> early = started.remove(item.imageId());
        return early != null ? early : pool.submit(task.apply(item));
    }

    int started() {
        return started.size();
    }

    /** Drops the downloads no batch took (items rejected after the crawl, or past the run's image limit). */
    void dropRest() {
        started.values().forEach(f -> f.cancel(true));
        started.clear();
    }
}

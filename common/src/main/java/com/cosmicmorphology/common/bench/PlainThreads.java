package com.cosmicmorphology.common.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A benchmark baseline's loop: items 0..n-1 on {@code threads} plain Java threads, each taking the next item as
 * it finishes one (no fixed shares, so no thread idles while another has work), each with its own state
 * (a buffer, a calculator), as a Spark task has.
 */
public final class PlainThreads {
    private PlainThreads() {}

    /** The work for one item, with the thread's own state. */
    public interface Work<S> {
        void run(S state, int item) throws Exception;
    }

    /** Runs every item once; returns when all are done, or throws the first failure. */
    public static <S> void run(int n, int threads, Supplier<S> perThread, Work<S> work) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    S state = perThread.get();
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        work.run(state, i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

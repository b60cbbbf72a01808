package com.cosmicmorphology.common.image;

import java.util.concurrent.Semaphore;

/**
 * A JVM-wide budget for the pixels being decoded at once. One decode within {@link DecodeLimits} is safe on
 * its own; sixteen download threads or Spark task threads decoding large photographs at the same moment are
 * not. Each decode leases its raster's size (4 bytes per pixel, what an RGB or ARGB raster takes) from a
 * quarter of the maximum heap, waiting while others hold it; one decode larger than the whole budget waits
 * for all others and then runs alone.
 */
public final class DecodeMemory {
    private static final int BYTES_PER_PIXEL = 4;
    /** Permits are KiB, so that a budget of many GiB still fits an int. */
    private static final long UNIT = 1024;

    private static final DecodeMemory SHARED =
            new DecodeMemory(Runtime.getRuntime().maxMemory() / 4);

    private final Semaphore permits;
    private final int capacity;

    DecodeMemory(long budgetBytes) {
        this.capacity = (int) Math.max(1, Math.min(Integer.MAX_VALUE, budgetBytes / UNIT));
        this.permits = new Semaphore(capacity, true);
    }

    public static DecodeMemory shared() {
        return SHARED;
    }

    /** Waits until {@code pixels} pixels may be decoded; closing the lease gives them back. */
    public Lease acquire(long pixels) throws InterruptedException {
        int n = (int) Math.max(1, Math.min(capacity, pixels * BYTES_PER_PIXEL / UNIT));
        permits.acquire(n);
        return new Lease(n);
    }

    int available() {
        return permits.availablePermits();
    }

    /** Memory held by one decode. */
    public final class Lease implements AutoCloseable {
        private int held;

        private Lease(int held) {
            this.held = held;
        }

        @Override
        public void close() {
            if (held > 0) {
                permits.release(held);
                held = 0;
            }
        }
    }
}

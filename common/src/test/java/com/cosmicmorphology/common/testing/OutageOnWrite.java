package com.cosmicmorphology.common.testing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * The blob store {@link LocalS3} serves, with one scripted fault: once a given key has been written, the
 * server goes away. The write that triggers it completes; from then on every call fails until the server has
 * stopped (an outage, as clients see it), and then connections are refused. The trigger is the write itself,
 * not a poll of the folder, so the outage starts at the same point of a run every time.
 */
final class OutageOnWrite extends ForwardingBlobStore {
    private final Runnable stopServer;
    private volatile String container;
    private volatile String key;
    private volatile boolean down;
    private volatile CompletableFuture<Void> stopped = new CompletableFuture<>();

    OutageOnWrite(BlobStore delegate, Runnable stopServer) {
        super(delegate);
        this.stopServer = stopServer;
    }

    /** Arms the fault: the server stops right after {@code container/key} is written. */
    void after(String container, String key) {
        this.container = container;
        this.key = key;
        this.down = false;
        this.stopped = new CompletableFuture<>();
    }

    /** Waits for the outage to have happened; fails if it did not within {@code timeout} or the stop failed. */
    void await(Duration timeout) throws Exception {
        try {
            stopped.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "the outage after writing " + container + "/" + key + " did not happen within " + timeout
                            + " (the key was never written?)",
                    e);
        }
    }

    /** Serving again (after a restart): the fault is disarmed. */
    void recovered() {
        down = false;
        key = null;
    }

    @Override
    public String putBlob(String c, Blob blob) {
        refuseWhenDown();
        String etag = super.putBlob(c, blob);
        trigger(c, blob.getMetadata().getName());
        return etag;
    }

    @Override
    public String putBlob(String c, Blob blob, PutOptions options) {
        refuseWhenDown();
        String etag = super.putBlob(c, blob, options);
        trigger(c, blob.getMetadata().getName());
        return etag;
    }

    @Override
    public Blob getBlob(String c, String name) {
        refuseWhenDown();
        return super.getBlob(c, name);
    }

    @Override
    public org.jclouds.blobstore.domain.BlobMetadata blobMetadata(String c, String name) {
        refuseWhenDown();
        return super.blobMetadata(c, name);
    }

    @Override
    public org.jclouds.blobstore.domain.PageSet<? extends org.jclouds.blobstore.domain.StorageMetadata> list(
            String c, org.jclouds.blobstore.options.ListContainerOptions options) {
        refuseWhenDown();
        return super.list(c, options);
    }

    private void refuseWhenDown() {
        if (down) {
            throw new IllegalStateException("scripted outage: the server is going away");
        }
    }

    private void trigger(String c, String name) {
        if (!down && c.equals(container) && name.equals(key)) {
            down = true;
            CompletableFuture<Void> done = stopped;
            // stopped from its own thread: a server cannot join the request thread it is running on
            Thread t = new Thread(
                    () -> {
                        try {
                            stopServer.run();
                            done.complete(null);
                        } catch (RuntimeException e) {
                            done.completeExceptionally(e);
                        }
                    },
                    "local-s3-outage");
            t.setDaemon(true);
            t.start();
        }
    }
}

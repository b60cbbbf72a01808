package com.cosmicmorphology.common.lake;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer lock of a lake on an object store or HDFS, where no OS lock reaches: a marker object
 * {@code <root>/_cosmic_writer.lock} naming its holder, rewritten every {@link Timing#heartbeat} while the run
 * lives and deleted when it ends. A marker not rewritten for {@link Timing#expiry} belongs to a run that died
 * (killed, its machine lost) and is taken over; so is one whose holder is known dead sooner ({@link #endedHere}).
 *
 * <p>Limits, stated: S3A (Hadoop 3.3.4) has no create-if-absent, so two runs that look at the same moment
 * can both see no marker; each writes its own, the later overwrites the earlier, and after
 * {@link Timing#settle} each reads it back: only the run whose marker survived goes on. Runs that start
 * further apart than one PUT takes are always told apart; HDFS creates atomically. Expiry compares the
 * marker's modification time (the store's clock) with this machine's clock: they must agree within the
 * expiry (NTP does). A run stalled longer than the expiry (a very long GC pause) can lose its claim.
 */
final class MarkerWriterLock {
    private static final Logger LOG = LoggerFactory.getLogger(MarkerWriterLock.class);

    /** How often the holder renews its marker, when a marker counts as abandoned, how long to wait for a rival's PUT. */
    record Timing(Duration heartbeat, Duration expiry, Duration settle) {
        static final Timing DEFAULT =
                new Timing(Duration.ofSeconds(20), Duration.ofSeconds(90), Duration.ofMillis(1500));
    }

    /** Runs of this JVM that hold a marker now (see {@link #endedHere}). */
    private static final java.util.Set<String> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private MarkerWriterLock() {}

    static LakeWriterLock acquire(Configuration hadoop, String root, WriterLockHolder me, Timing timing) {
        HELD.add(me.run()); // before the marker exists: another thread here must never take it for a leftover
        boolean taken = false;
        try {
            LakeWriterLock lock = take(hadoop, root, me, timing);
            taken = true;
            return lock;
        } finally {
            if (!taken) {
                HELD.remove(me.run());
            }
        }
    }

    private static LakeWriterLock take(Configuration hadoop, String root, WriterLockHolder me, Timing timing) {
        Path marker = new Path(root, LakeWriterLock.FILE);
        try {
            FileSystem fs = marker.getFileSystem(hadoop);
            FileStatus existing = status(fs, marker);
            if (existing != null) {
                WriterLockHolder other = read(fs, marker);
                long idleMs = System.currentTimeMillis() - existing.getModificationTime();
                if (idleMs < timing.expiry().toMillis() && !endedHere(other, me)) {
                    throw busy(root, other, marker, existing, timing);
                }
                LOG.warn(
                        "taking over the lake's writer marker {}: its holder {} ended without releasing it ({})",
                        marker,
                        other == null ? "(unreadable)" : other.describe(),
                        idleMs < timing.expiry().toMillis()
                                ? "that process is gone from this host"
                                : "not renewed for " + idleMs / 1000 + " s");
                fs.delete(marker, false);
            }
            try (var out = fs.create(marker, false)) { // atomic on HDFS; on S3A a check and a PUT, hence the read-back
                out.write(me.bytes());
            } catch (FileAlreadyExistsException e) {
                throw busy(root, read(fs, marker), marker, status(fs, marker), timing);
            }
            if (!"hdfs".equals(marker.toUri().getScheme())) {
                Thread.sleep(timing.settle().toMillis());
                WriterLockHolder now = read(fs, marker);
                if (now == null || !now.run().equals(me.run())) {
                    throw busy(root, now, marker, status(fs, marker), timing);
                }
            }
            ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "lake-writer-heartbeat");
                t.setDaemon(true); // never what keeps a finished job's JVM alive
                return t;
            });
            long every = timing.heartbeat().toMillis();
            heartbeat.scheduleWithFixedDelay(() -> renew(fs, marker, me), every, every, TimeUnit.MILLISECONDS);
            return new LakeWriterLock(marker.toString(), () -> release(fs, marker, me, heartbeat));
        } catch (IOException e) {
            throw new CosmicException(ExitCode.STORAGE, LakeLayout.storageProblem(root, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CosmicException(
                    ExitCode.JOB_FAILED, "interrupted while taking the lake's writer marker " + marker, e);
        }
    }

    /**
     * Whether the marker's holder is known dead without waiting for the expiry: a run on this host whose process
     * is gone, or a run of this very process that no longer holds it (its release could not reach the store,
     * say, when the store was down as the run failed). A holder on another host can only expire.
     */
    static boolean endedHere(WriterLockHolder other, WriterLockHolder me) {
        if (other == null || !other.host().equals(me.host())) {
            return false;
        }
        if (other.pid() == me.pid()) {
            return !HELD.contains(other.run());
        }
        return ProcessHandle.of(other.pid()).map(p -> !p.isAlive()).orElse(true);
    }

    private static CosmicException busy(String root, WriterLockHolder other, Path marker, FileStatus st, Timing t) {
        String expires = st == null
                ? ""
                : "; if that run is dead, its marker expires at "
                        + Instant.ofEpochMilli(st.getModificationTime()).plus(t.expiry()) + " ("
                        + t.expiry().toSeconds()
                        + " s after its last renewal), or delete " + marker + " once you are sure";
        return LakeWriterLock.busy(root, other, marker.toString(), expires.isEmpty() ? "" : expires.substring(2));
    }

    /** Rewrites the marker if it is still this run's; says so loudly if another run took it. */
    private static void renew(FileSystem fs, Path marker, WriterLockHolder me) {
        try {
            WriterLockHolder now = read(fs, marker);
            if (now != null && now.run().equals(me.run())) {
                try (var out = fs.create(marker, true)) {
                    out.write(me.bytes());
                }
            } else {
                LOG.error(
                        "the lake's writer marker {} now names {}: another run took the lake over while this one was still "
                                + "writing (it did not renew the marker in time); check both runs' results",
                        marker,
                        now == null ? "no one" : now.describe());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "could not renew the lake's writer marker {} ({}); retrying at the next heartbeat",
                    marker,
                    e.toString());
        }
    }

    private static void release(FileSystem fs, Path marker, WriterLockHolder me, ScheduledExecutorService heartbeat) {
        heartbeat.shutdownNow();
        HELD.remove(me.run());
        try {
            heartbeat.awaitTermination(10, TimeUnit.SECONDS); // no renewal may land after the delete
            WriterLockHolder now = read(fs, marker);
            if (now != null && now.run().equals(me.run())) {
                fs.delete(marker, false);
            }
        } catch (IOException e) {
            LOG.warn("could not delete the lake's writer marker {} ({}); it expires on its own", marker, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static FileStatus status(FileSystem fs, Path p) throws IOException {
        try {
            return fs.getFileStatus(p);
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    private static WriterLockHolder read(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            return WriterLockHolder.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }
}

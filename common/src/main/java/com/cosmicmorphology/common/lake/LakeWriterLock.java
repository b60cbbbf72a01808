package com.cosmicmorphology.common.lake;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * One writing run per lake at a time. Ingest plans its new images from what the tables hold and then appends
 * them; two runs planning from the same state would both append the same images (and Delta's S3 log store
 * can lose one of two concurrent commits). A run that writes takes this lock first; a second one is turned
 * away in one line naming the holder. On local disk it is an OS file lock ({@link LocalWriterLock}); on
 * object stores and HDFS a marker object with a heartbeat ({@link MarkerWriterLock}).
 *
 * <pre>{@code try (LakeWriterLock lock = LakeWriterLock.acquire(spark, lake, "ingest nasa")) { ...write... }}</pre>
 */
public final class LakeWriterLock implements AutoCloseable {
    /** In the lake root; Delta and Spark skip names starting with an underscore. */
    public static final String FILE = "_cosmic_writer.lock";

    private final String where;
    private final Runnable release;
    private boolean released;

    LakeWriterLock(String where, Runnable release) {
        this.where = where;
        this.release = release;
    }

    /**
     * Takes the lake's writer lock for {@code command} (named in the message another run gets), or fails with
     * {@link ExitCode#STORAGE} and one line naming the holder and what to do.
     */
    public static LakeWriterLock acquire(SparkSession spark, LakeLayout lake, String command) {
        return acquire(spark.sparkContext().hadoopConfiguration(), lake, command);
    }

    public static LakeWriterLock acquire(Configuration hadoop, LakeLayout lake, String command) {
        lake.checkWritable(hadoop); // a bad root fails as a bad root, not as a lock problem
        WriterLockHolder me = WriterLockHolder.current(command);
        URI uri = new org.apache.hadoop.fs.Path(lake.root()).toUri();
        if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
            return LocalWriterLock.acquire(java.nio.file.Path.of(uri.getPath()), lake.root(), me);
        }
        return MarkerWriterLock.acquire(hadoop, lake.root(), me, MarkerWriterLock.Timing.DEFAULT);
    }

    /** Runs {@code work} holding the lake's writer lock for {@code command}: every stage that writes tables. */
    public static <T> T whileHolding(
            SparkSession spark, LakeLayout lake, String command, java.util.function.Supplier<T> work) {
        try (LakeWriterLock lock = acquire(spark, lake, command)) {
            return work.get();
        }
    }

    /** The lock file or marker object. */
    public String where() {
        return where;
    }

    /** Releases the lock; idempotent. */
    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            release.run();
        }
    }

    static CosmicException busy(String root, WriterLockHolder holder, String where, String ifDead) {
        return new CosmicException(
                ExitCode.STORAGE,
                "the lake " + root + " is being written by another run: "
                        + (holder == null ? "(its holder has not recorded itself yet)" : holder.describe()) + ", lock "
                        + where
                        + ". Wait for that run to end, then re-run this one (two runs writing at once could land the same images "
                        + "twice)" + (ifDead.isEmpty() ? "" : "; " + ifDead));
    }
}

package com.cosmicmorphology.common.spark;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.config.S3LogStore;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delta's log store for {@code s3a://} lakes ({@code s3.log-store}): the Spark settings of the DynamoDB-backed
 * store, the check that its class is on the classpath (the jar is not shaded into the jobs: it is only
 * wanted where the lake is on AWS), and the warning a lake on the default store gets once per JVM.
 */
public final class DeltaLogStore {
    private static final Logger LOG = LoggerFactory.getLogger(DeltaLogStore.class);
    static final String DYNAMODB_CLASS = "io.delta.storage.S3DynamoDBLogStore";
    private static final String PREFIX = "spark.io.delta.storage.S3DynamoDBLogStore.";
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private DeltaLogStore() {}

    /**
     * The log store's Spark settings: none for Delta's default, Delta's documented three for DynamoDB. They are
     * read when the SparkContext starts, so they must be in the job's first session (as every command's is).
     */
    static void apply(CosmicConfig.S3 s3, SparkConf conf) {
        if (s3.logStore() != S3LogStore.DYNAMODB) {
            return;
        }
        conf.set("spark.delta.logStore.s3a.impl", DYNAMODB_CLASS);
        conf.set(PREFIX + "ddb.tableName", s3.dynamodbTable());
        conf.set(PREFIX + "ddb.region", s3.dynamodbRegion());
    }

    /**
     * Fails in one line when {@code s3.log-store=dynamodb} but the store's class is missing: Delta would only
     * find out at the first commit, halfway through a job.
     */
    static void requireAvailable(CosmicConfig.S3 s3, ClassLoader loader) {
        if (s3.logStore() != S3LogStore.DYNAMODB) {
            return;
        }
        try {
            Class.forName(DYNAMODB_CLASS, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            String jar = "io.delta:delta-storage-s3-dynamodb:" + deltaVersion();
            throw new CosmicException(
                    ExitCode.USAGE,
                    "s3.log-store=dynamodb needs " + DYNAMODB_CLASS + ", which is not "
                            + "on the classpath: add " + jar + " (spark-submit --packages " + jar
                            + ", or its jar in the cluster's "
                            + "jars folder), or set s3.log-store=default and run one writing job at a time");
        }
    }

    /** The warning an {@code s3a://} lake on Delta's default log store deserves, if this one does. */
    static Optional<String> concurrencyWarning(CosmicConfig config) {
        if (!config.lake().root().startsWith("s3a://") || config.s3().logStore() == S3LogStore.DYNAMODB) {
            return Optional.empty();
        }
        return Optional.of("the lake " + config.lake().root() + " uses Delta's default S3 log store: two jobs writing "
                + "it at the same time can lose a commit. Run one writing job at a time (ingest refuses a second one), "
                + "or set s3.log-store=dynamodb (docs/clusters.md, 'Lake on S3')");
    }

    /** Logs {@link #concurrencyWarning} the first time a job of this JVM opens such a lake; true if it did now. */
    public static boolean warnOnce(CosmicConfig config) {
        Optional<String> w = concurrencyWarning(config);
        if (w.isPresent() && WARNED.compareAndSet(false, true)) {
            LOG.warn(w.get());
            return true;
        }
        return false;
    }

    private static String deltaVersion() {
        try { // Scala's io.delta.VERSION (a package object: "package" is no Java identifier)
            return (String)
                    Class.forName("io.delta.package").getMethod("VERSION").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "<the delta-spark version>";
        }
    }
}

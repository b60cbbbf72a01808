package com.cosmicmorphology.common.spark;

import com.cosmicmorphology.common.config.CosmicConfig;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession factory: Delta extensions and catalog, S3A settings from config, and a master that
 * respects spark-submit (an external {@code spark.master} wins over the config file; an explicit
 * {@code --master} option wins over both).
 */
public final class SparkSessions {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SparkSessions.class);

    private SparkSessions() {}

    /**
     * @param masterFromOption the --master option, or null
     */
    public static SparkSession getOrCreate(CosmicConfig config, String masterFromOption) {
        DeltaLogStore.requireAvailable(config.s3(), Thread.currentThread().getContextClassLoader());
        SparkConf conf = sparkConf(config, masterFromOption, new SparkConf());
        String master = conf.get("spark.master");
        boolean sameMaster = SparkSession.getActiveSession().isDefined()
                && SparkSession.getActiveSession().get().sparkContext().master().equals(master);
        if (master.startsWith("spark://") && !sameMaster) {
            MasterProbe.check(master);
        }
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        // When a session already exists (tests, the pipeline command, notebooks) getOrCreate ignores new
        // spark.hadoop.* entries: apply them to the live Hadoop configuration so S3A settings always hold.
        for (scala.Tuple2<String, String> kv : conf.getAllWithPrefix("spark.hadoop.")) {
            spark.sparkContext().hadoopConfiguration().set(kv._1(), kv._2());
        }
        return spark;
    }

    /**
     * Stops the session this JVM's command started (the thread's active one and the default one), if any. Never
     * throws: it runs in the launcher's {@code finally}, where the command's own outcome is what counts.
     */
    public static void stopAll() {
        java.util.Set<SparkSession> sessions = new java.util.LinkedHashSet<>();
        SparkSession.getActiveSession().foreach(s -> sessions.add(s));
        SparkSession.getDefaultSession().foreach(s -> sessions.add(s));
        for (SparkSession s : sessions) {
            try {
                s.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping the SparkSession failed: {}", e.toString());
            }
        }
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    /** Everything the session needs, as a SparkConf: exposed so tests and spark-submit wrappers agree. */
    public static SparkConf sparkConf(CosmicConfig config, String masterFromOption, SparkConf base) {
        SparkConf conf = base.clone();
        if (masterFromOption != null) {
            conf.setMaster(masterFromOption);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster(config.spark().master());
        }
        conf.setIfMissing("spark.app.name", config.spark().appName());
        conf.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
        conf.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
        conf.setIfMissing(
                "spark.sql.shuffle.partitions", Integer.toString(config.spark().shufflePartitions()));
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        conf.setIfMissing("spark.sql.session.timeZone", "UTC");
        // Executors on a standalone cluster started from Maven jars need this (see deploy/).
        conf.setIfMissing("spark.executorEnv.SPARK_SCALA_VERSION", "2.12");
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            // Delta rebuilds a table's state from its log in spark.databricks.delta.snapshotPartitions tasks
            // (default 50, sized for clusters). In local mode those are 50 tasks queued on a few cores for a log of
            // a few KB, paid on every table a job opens and again after every commit: measured 0.6-0.7 s per
            // snapshot with 50, 0.05 s with one task per core (a pixel-statistics run: 7.2 s -> 4.9 s).
            conf.setIfMissing(
                    "spark.databricks.delta.snapshotPartitions",
                    Integer.toString(localCores(conf.get("spark.master"))));
        }
        s3a(config.s3(), conf);
        DeltaLogStore.apply(config.s3(), conf);
        for (Map.Entry<String, String> e : config.spark().conf().entrySet()) {
            conf.set(e.getKey(), e.getValue());
        }
        return conf;
    }

    private static final java.util.regex.Pattern LOCAL_MASTER =
            java.util.regex.Pattern.compile("local(?:-cluster)?\\[([^\\]]*)\\]");

    /** Task slots of a local master: local, local[N], local[N,F], local[*]; local-cluster[W,C,M] gives W x C. */
    static int localCores(String master) {
        java.util.regex.Matcher m = LOCAL_MASTER.matcher(master);
        if (!m.find()) {
            return 1;
        }
        String[] parts = m.group(1).split(",");
        if (master.startsWith("local-cluster") && parts.length >= 2) {
            return Integer.parseInt(parts[0].trim()) * Integer.parseInt(parts[1].trim());
        }
        String n = parts[0].trim();
        return n.equals("*") ? Runtime.getRuntime().availableProcessors() : Math.max(1, Integer.parseInt(n));
    }

    private static void s3a(CosmicConfig.S3 s3, SparkConf conf) {
        String p = "spark.hadoop.fs.s3a.";
        if (!s3.endpoint().isBlank()) {
            conf.set(p + "endpoint", s3.endpoint());
        }
        conf.set(p + "path.style.access", Boolean.toString(s3.pathStyleAccess()));
        conf.set(p + "connection.ssl.enabled", Boolean.toString(s3.sslEnabled()));
        if (!s3.credentialsProvider().isBlank()) {
            conf.set(p + "aws.credentials.provider", s3.credentialsProvider());
        }
        // Without it every Delta commit on S3A waits on directory-marker retries (measured: 370 s vs 65 s).
        conf.setIfMissing(p + "directory.marker.retention", "keep");
        // Fail fast on an unreachable endpoint instead of S3A's default minutes of retries.
        conf.setIfMissing(p + "attempts.maximum", "3");
        conf.setIfMissing(p + "retry.limit", "3");
        conf.setIfMissing(p + "connection.establish.timeout", "5000");
        conf.setIfMissing(p + "connection.timeout", "20000");
    }
}

package com.cosmicmorphology.common.testing;

import com.cosmicmorphology.common.config.ConfigLoader;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.spark.SparkSessions;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * One {@code local[2]} SparkSession per test JVM (starting one costs seconds), built by the production
 * factory so tests run with the same Delta and S3A settings as users. Never stopped: the JVM ends it.
 */
public final class SharedSpark {
    private static SparkSession spark;
    private static java.util.Map<String, String> pristineHadoopConf;

    private SharedSpark() {}

    public static synchronized SparkSession get() {
        if (spark == null) {
            CosmicConfig config = new ConfigLoader()
                    .load(null, Map.of(), Map.of("spark.master", "local[2]", "spark.shuffle-partitions", "2"));
            spark = SparkSessions.getOrCreate(config, null);
            pristineHadoopConf = HadoopConfIsolation.copy(spark.sparkContext().hadoopConfiguration());
        }
        return spark;
    }

    /** The shared session's Hadoop configuration as it started (null before it starts), for HadoopConfIsolation. */
    static synchronized java.util.Map<String, String> pristineHadoopConf() {
        return pristineHadoopConf == null ? null : new java.util.HashMap<>(pristineHadoopConf);
    }

    /** A config for tests: defaults, a lake root, and extra keys. */
    public static CosmicConfig config(String lakeRoot, Map<String, String> extra) {
        Map<String, String> all = new java.util.LinkedHashMap<>(extra);
        all.put("lake.root", lakeRoot);
        all.putIfAbsent("spark.master", "local[2]");
        all.putIfAbsent("progress.interval-s", "1");
        return new ConfigLoader().load(null, Map.of(), all);
    }
}

package com.cosmicmorphology.common.cli;

import com.cosmicmorphology.common.config.ConfigLoader;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.spark.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** What a command needs: its resolved configuration, the lake layout, and (lazily) the SparkSession. */
public final class JobContext {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobContext.class);
    private final CosmicConfig config;
    private final String master;
    private final LakeLayout lake;
    private SparkSession spark;

    public JobContext(CosmicConfig config, String master) {
        this.config = config;
        this.master = master;
        this.lake = new LakeLayout(config.lake().root());
    }

    private JobContext(SparkSession spark, LakeLayout lake, CosmicConfig config) {
        this.config = config;
        this.master = null;
        this.lake = lake;
        this.spark = spark;
    }

    /**
     * A context over a session that is already running (tests, notebooks, a job calling another in one JVM), on
     * a given lake; the configuration supplies every other setting.
     */
    public static JobContext of(SparkSession spark, LakeLayout lake, CosmicConfig config) {
        return new JobContext(spark, lake, config);
    }

    /** The same over the built-in defaults (no file, no environment). */
    public static JobContext of(SparkSession spark, LakeLayout lake) {
        return new JobContext(spark, lake, new ConfigLoader().load(null, Map.of(), Map.of("lake.root", lake.root())));
    }

    /** This context on another lake (a benchmark's scratch lake), same session and settings. */
    public JobContext onLake(LakeLayout other) {
        return new JobContext(spark(), other, config);
    }

    /** Resolves config from options > environment > file > defaults; extra {@code key=value} pairs come last. */
    public static JobContext from(JobOptions options, Map<String, String> extra) {
        Map<String, String> env = System.getenv();
        Path file = options.conf();
        String from = "--conf";
        if (file == null && env.get("COSMIC_CONF") != null) {
            file = Path.of(env.get("COSMIC_CONF"));
            from = "$COSMIC_CONF";
        }
        if (file == null && Files.isRegularFile(Path.of("conf", "local.yaml"))) {
            file = Path.of("conf", "local.yaml");
            from = "found in the working directory";
        }
        Map<String, String> overrides = new LinkedHashMap<>(options.set());
        overrides.putAll(extra);
        if (options.lake() != null) {
            overrides.put("lake.root", options.lake());
        }
        if (options.master() != null) {
            overrides.put("spark.master", options.master());
        }
        CosmicConfig config = new ConfigLoader().load(file, env, overrides);
        // a file picked up from the working directory changes behaviour: say, in one line, what was read
        long fromEnv = env.keySet().stream()
                .filter(k -> k.startsWith("COSMIC_") && !k.equals("COSMIC_CONF"))
                .count();
        LOG.info(
                "configuration: built-in defaults{}{}{}",
                file == null ? "" : " < " + file.toAbsolutePath().normalize() + " (" + from + ")",
                fromEnv == 0 ? "" : " < " + fromEnv + " COSMIC_* environment variables",
                overrides.isEmpty() ? "" : " < options " + new java.util.TreeSet<>(overrides.keySet()));
        return new JobContext(config, options.master());
    }

    public CosmicConfig config() {
        return config;
    }

    public LakeLayout lake() {
        return lake;
    }

    public synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSessions.getOrCreate(config, master);
            // for one-line storage errors (Cosmic names the lake); a session conf, so it follows the current job
            spark.conf().set("spark.cosmic.lake.root", lake.root());
            lake.checkReachable(spark);
            com.cosmicmorphology.common.spark.DeltaLogStore.warnOnce(config);
        }
        return spark;
    }
}

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
  private final CosmicConfig config;
  private final String master;
  private SparkSession spark;

  public JobContext(CosmicConfig config, String master) {
    this.config = config;
    this.master = master;
  }

  /** Resolves config from options > environment > file > defaults; extra {@code key=value} pairs come last. */
  public static JobContext from(JobOptions options, Map<String, String> extra) {
    Map<String, String> env = System.getenv();
    Path file = options.conf();
    if (file == null && env.get("COSMIC_CONF") != null) {
      file = Path.of(env.get("COSMIC_CONF"));
    }
    if (file == null && Files.isRegularFile(Path.of("conf", "local.yaml"))) {
      file = Path.of("conf", "local.yaml");
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
    return new JobContext(config, options.master());
  }

  public CosmicConfig config() {
    return config;
  }

  public LakeLayout lake() {
    return new LakeLayout(config.lake().root());
  }

  public synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSessions.getOrCreate(config, master);
      // for one-line storage errors (Cosmic names the lake); a session conf, so it follows the current job
      spark.conf().set("spark.cosmic.lake.root", config.lake().root());
      lake().checkReachable(spark);
      com.cosmicmorphology.common.spark.DeltaLogStore.warnOnce(config);
    }
    return spark;
  }
}

package com.cosmicmorphology.common.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every job takes (contract: --lake, --conf, --master), plus --set for any config key. */
public final class JobOptions {
    @Option(
            names = "--lake",
            paramLabel = "<root>",
            description = "Lake root: local path or s3a://bucket/prefix (lake.root).")
    String lake;

    @Option(
            names = "--conf",
            paramLabel = "<file.yaml>",
            description = "Configuration file (default: $COSMIC_CONF, else conf/local.yaml when present).")
    Path conf;

    @Option(
            names = "--master",
            paramLabel = "<url>",
            description = "Spark master URL (default: spark.master, or spark-submit's).")
    String master;

    @Option(
            names = "--set",
            paramLabel = "<key=value>",
            description = "Override any config key, e.g. --set nasa.http.concurrency=32 (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    public JobOptions() {}

    /** Copy for programmatic use (tests, pipeline). */
    public JobOptions(String lake, Path conf, String master, Map<String, String> set) {
        this.lake = lake;
        this.conf = conf;
        this.master = master;
        this.set = new LinkedHashMap<>(set);
    }

    public String lake() {
        return lake;
    }

    public Path conf() {
        return conf;
    }

    public String master() {
        return master;
    }

    public Map<String, String> set() {
        return set;
    }
}

package com.cosmicmorphology.common.testing;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh local lake per test, and the configuration and {@link JobContext} over it on the shared session:
 * {@code @RegisterExtension final TempLake lake = TempLake.withSettings("clean.min-dark-fraction", "0")}, then
 * {@code new CleanJob(lake.context())}. The folder is deleted after the test.
 */
public final class TempLake implements BeforeEachCallback, AfterEachCallback {
    private final Map<String, String> settings;
    private Path root;

    private TempLake(Map<String, String> settings) {
        this.settings = settings;
    }

    /** Key/value pairs over the defaults (and over {@link SharedSpark#config}'s test settings). */
    public static TempLake withSettings(String... keyValues) {
        Map<String, String> s = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            s.put(keyValues[i], keyValues[i + 1]);
        }
        return new TempLake(s);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        root = Files.createTempDirectory("cosmic-test-lake");
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (root != null && Files.exists(root)) {
            try (var files = Files.walk(root)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    public Path root() {
        return root;
    }

    public LakeLayout layout() {
        return new LakeLayout(root.toString());
    }

    public SparkSession spark() {
        return SharedSpark.get();
    }

    public CosmicConfig config() {
        return config(Map.of());
    }

    /** This lake's configuration with more keys for one test. */
    public CosmicConfig config(Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putAll(extra);
        return SharedSpark.config(root.toString(), all);
    }

    public JobContext context() {
        return context(Map.of());
    }

    public JobContext context(Map<String, String> extra) {
        return JobContext.of(spark(), layout(), config(extra));
    }
}

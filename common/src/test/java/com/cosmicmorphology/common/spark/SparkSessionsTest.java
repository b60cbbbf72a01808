package com.cosmicmorphology.common.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.cosmicmorphology.common.config.ConfigLoader;
import com.cosmicmorphology.common.config.CosmicConfig;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SparkSessionsTest {
    private static final String SNAPSHOT = "spark.databricks.delta.snapshotPartitions";

    private static SparkConf conf(String master, SparkConf base) {
        CosmicConfig config = new ConfigLoader().load(null, Map.of(), Map.of("spark.master", master));
        return SparkSessions.sparkConf(config, null, base);
    }

    @Test
    void localMastersRebuildDeltaSnapshotsWithOneTaskPerCore() {
        assertEquals("2", conf("local[2]", new SparkConf(false)).get(SNAPSHOT));
        assertEquals("3", conf("local[3,2]", new SparkConf(false)).get(SNAPSHOT));
        assertEquals("1", conf("local", new SparkConf(false)).get(SNAPSHOT));
        assertEquals(
                Integer.toString(Runtime.getRuntime().availableProcessors()),
                conf("local[*]", new SparkConf(false)).get(SNAPSHOT));
        assertEquals("4", conf("local-cluster[2,2,1024]", new SparkConf(false)).get(SNAPSHOT));
    }

    @Test
    void anExplicitSettingWinsAndClustersKeepDeltasDefault() {
        assertEquals(
                "8", conf("local[2]", new SparkConf(false).set(SNAPSHOT, "8")).get(SNAPSHOT));
        assertFalse(conf("spark://127.0.0.1:7077", new SparkConf(false)).contains(SNAPSHOT));
    }
}

package com.cosmicmorphology.common.lake;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run killed while it created a table leaves what Delta left on disk; the next run must create the table,
 * not fail on the remains forever (CI caught a kill between the log folder and version 0).
 */
class LakeCreateAfterKillTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"a log folder and nothing in it", "a half-written commit", "an empty commits folder"})
    void theRemainsOfAnInterruptedCreationDoNotBlockTheNextOne(String remains) throws Exception {
        SparkSession spark = SharedSpark.get();
        LakeLayout lake = new LakeLayout(dir.toString());
        Path log = dir.resolve(LakeTable.QUARANTINE.tableName()).resolve("_delta_log");
        Files.createDirectories(log);
        if (remains.equals("a half-written commit")) {
            Files.writeString(log.resolve(".00000000000000000000.json.5f2c.tmp"), "{\"commitInfo\":");
        } else if (remains.equals("an empty commits folder")) {
            Files.createDirectories(log.resolve("_commits"));
        }
        assertThat(lake.exists(spark, LakeTable.QUARANTINE)).isFalse();

        assertThat(lake.create(spark, LakeTable.QUARANTINE)).isTrue();

        assertThat(lake.read(spark, LakeTable.QUARANTINE).count()).isZero();
        assertThat(lake.create(spark, LakeTable.QUARANTINE)).isFalse();
    }

    @Test
    void aTableWithCommitsIsNeverTouched() {
        SparkSession spark = SharedSpark.get();
        LakeLayout lake = new LakeLayout(dir.toString());
        lake.create(spark, LakeTable.QUARANTINE);
        java.sql.Timestamp at = java.sql.Timestamp.valueOf("2026-12-02 00:00:00");
        spark.createDataFrame(
                        java.util.List.of(RowFactory.create("nasa", "kept", "ingest", "test", null, at)),
                        LakeTable.QUARANTINE.schema())
                .write()
                .format("delta")
                .mode("append")
                .save(lake.location(LakeTable.QUARANTINE));

        assertThat(lake.create(spark, LakeTable.QUARANTINE)).isFalse();

        assertThat(lake.read(spark, LakeTable.QUARANTINE).count()).isEqualTo(1);
    }
}

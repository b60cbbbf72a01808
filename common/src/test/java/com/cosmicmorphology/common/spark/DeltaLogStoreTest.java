package com.cosmicmorphology.common.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.config.ConfigException;
import com.cosmicmorphology.common.config.ConfigLoader;
import com.cosmicmorphology.common.config.CosmicConfig;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** s3.log-store: a typed, validated setting that becomes Delta's log store settings, or a clear refusal. */
class DeltaLogStoreTest {
    private static CosmicConfig config(Map<String, String> options) {
        return new ConfigLoader().load(null, Map.of(), options);
    }

    @Test
    void aBadValueListsTheValidOnes() {
        assertThatThrownBy(() -> config(Map.of("s3.log-store", "dynamo")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("s3.log-store: 'dynamo'")
                .hasMessageContaining("valid values: default, dynamodb");
        assertThatThrownBy(() -> config(Map.of("s3.log-store", "dynamodb", "s3.dynamodb-table", " ")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("s3.dynamodb-table is empty");
    }

    @Test
    void dynamodbBecomesDeltasThreeSettingsAndTheDefaultNone() {
        CosmicConfig c = config(Map.of(
                "s3.log-store",
                "dynamodb",
                "s3.dynamodb-table",
                "cosmic_log",
                "s3.dynamodb-region",
                "eu-west-1",
                "spark.master",
                "local[1]"));
        SparkConf conf = SparkSessions.sparkConf(c, null, new SparkConf(false));
        assertThat(conf.get("spark.delta.logStore.s3a.impl")).isEqualTo("io.delta.storage.S3DynamoDBLogStore");
        assertThat(conf.get("spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName"))
                .isEqualTo("cosmic_log");
        assertThat(conf.get("spark.io.delta.storage.S3DynamoDBLogStore.ddb.region"))
                .isEqualTo("eu-west-1");

        SparkConf plain =
                SparkSessions.sparkConf(config(Map.of("spark.master", "local[1]")), null, new SparkConf(false));
        assertThat(plain.contains("spark.delta.logStore.s3a.impl")).isFalse();
    }

    @Test
    void dynamodbWithoutItsJarIsRefusedBeforeAnySessionStarts() {
        CosmicConfig c =
                config(Map.of("s3.log-store", "dynamodb", "spark.master", "local[1]", "lake.root", "s3a://b/lake"));
        // this build does not ship delta-storage-s3-dynamodb: the refusal names the artifact of the Delta in use
        assertThatThrownBy(() -> SparkSessions.getOrCreate(c, null))
                .isInstanceOfSatisfying(
                        CosmicException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageContaining("s3.log-store=dynamodb needs io.delta.storage.S3DynamoDBLogStore")
                .hasMessageContaining("io.delta:delta-storage-s3-dynamodb:3.3.2")
                .hasMessageNotContaining("\n");
    }

    @Test
    void anS3LakeOnTheDefaultStoreIsWarnedAboutOnce() {
        CosmicConfig s3 = config(Map.of("lake.root", "s3a://bucket/lake"));
        assertThat(DeltaLogStore.concurrencyWarning(s3))
                .get()
                .asString()
                .contains("s3a://bucket/lake")
                .contains("can lose a commit")
                .contains("s3.log-store=dynamodb");
        assertThat(DeltaLogStore.concurrencyWarning(
                        config(Map.of("lake.root", "s3a://bucket/lake", "s3.log-store", "dynamodb"))))
                .isEmpty();
        assertThat(DeltaLogStore.concurrencyWarning(config(Map.of("lake.root", "/data/lake"))))
                .isEmpty();
        DeltaLogStore.warnOnce(s3);
        assertThat(DeltaLogStore.warnOnce(s3)).as("a second time").isFalse();
    }
}

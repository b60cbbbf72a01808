package com.cosmicmorphology.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.LocalS3;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.ingest.nasa.NasaIngestJob;
import com.cosmicmorphology.testkit.replay.NasaReplayServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The same ingest into s3a://bucket/lake on a real S3 server (S3Proxy) on loopback, read back. */
class S3IngestTest {
    @Test
    void nasaIngestIntoAnS3aLake() throws Exception {
        SparkSession spark = SharedSpark.get();
        try (LocalS3 s3 = new LocalS3("bucket");
                NasaReplayServer server = NasaReplayServer.recordings(NasaSample.dir())) {
            Map<String, String> extra = new HashMap<>(s3.s3aSettings());
            extra.put("nasa.api-url", server.baseUrl());
            CosmicConfig c = SharedSpark.config("s3a://bucket/lake", extra);
            s3.configure(spark);
            LakeLayout lake = new LakeLayout(c.lake().root());

            NasaIngestJob.Result r =
                    new NasaIngestJob(JobContext.of(spark, lake, c)).run(List.of("galaxy", "galaxy cluster"), 0, 0);
            assertThat(r.imagesAdded()).isEqualTo(NasaSample.GALAXY_ITEMS - 4);

            assertThat(lake.read(spark, LakeTable.IMAGES).count()).isEqualTo(NasaSample.GALAXY_ITEMS - 4);
            assertThat(lake.read(spark, LakeTable.NASA_ITEMS).count()).isEqualTo(NasaSample.GALAXY_ITEMS);
            assertThat(lake.read(spark, LakeTable.QUARANTINE).count()).isEqualTo(4);
            assertThat(lake.listTables(spark)).containsExactly("images", "nasa_items", "quarantine");
            assertThat(lake.read(spark, LakeTable.IMAGES)
                            .where("label = 'galaxy_cluster'")
                            .count())
                    .isEqualTo(NasaSample.CLUSTER_ITEMS);
        }
    }
}

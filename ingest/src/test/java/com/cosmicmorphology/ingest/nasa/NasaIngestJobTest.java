package com.cosmicmorphology.ingest.nasa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.ingest.NasaSample;
import com.cosmicmorphology.ingest.image.ImageInspector;
import com.cosmicmorphology.testkit.replay.Fault;
import com.cosmicmorphology.testkit.replay.NasaReplayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real client and job against the replay server, into real Delta tables on local disk. */
class NasaIngestJobTest {
    private static final List<String> QUERIES = List.of("galaxy", "galaxy cluster");

    @TempDir
    Path tmp;

    private NasaReplayServer server;
    private final SparkSession spark = SharedSpark.get();

    @BeforeEach
    void start() {
        server = NasaReplayServer.recordings(NasaSample.dir());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CosmicConfig config(Path lake, Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(Map.of(
                "nasa.api-url",
                server.baseUrl(),
                "ingest.batch-size",
                "20",
                "nasa.http.backoff-base-ms",
                "20",
                "nasa.http.backoff-max-ms",
                "100",
                "nasa.http.read-timeout-ms",
                "1500"));
        all.putAll(extra);
        return SharedSpark.config(lake.toString(), all);
    }

    private NasaIngestJob.Result ingest(Path lake, Map<String, String> extra, long maxImages) throws Exception {
        CosmicConfig c = config(lake, extra);
        return new NasaIngestJob(JobContext.of(spark, new LakeLayout(c.lake().root()), c)).run(QUERIES, 0, maxImages);
    }

    private Map<String, String> quarantineReasons(Path lake) {
        return new LakeLayout(lake.toString())
                .read(spark, LakeTable.QUARANTINE).collectAsList().stream()
                        .collect(Collectors.toMap(r -> r.<String>getAs("record_id"), r -> r.<String>getAs("reason")));
    }

    private Set<String> imageKeys(Path lake) {
        return new LakeLayout(lake.toString())
                .read(spark, LakeTable.IMAGES).select("image_id", "content_sha256").collectAsList().stream()
                        .map(r -> r.getString(0) + "|" + r.getString(1))
                        .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyItemEndsInImagesOrQuarantineWithTheRightReason() throws Exception {
        Path lake = tmp.resolve("lake");
        NasaIngestJob.Result r = ingest(lake, Map.of(), 0);

        LakeLayout layout = new LakeLayout(lake.toString());
        assertThat(r.items()).isEqualTo(NasaSample.GALAXY_ITEMS);
        assertThat(layout.read(spark, LakeTable.NASA_ITEMS).count()).isEqualTo(NasaSample.GALAXY_ITEMS);
        assertThat(quarantineReasons(lake))
                .containsOnly(
                        Map.entry("nasa:STL-video-1", "not_image"),
                        Map.entry("nasa:STL-nolinks-1", "no_preview"),
                        Map.entry("nasa:STL-missing-1", "download_http_error"),
                        Map.entry("nasa:STL-corrupt-1", "undecodable"));
        List<Row> images = layout.read(spark, LakeTable.IMAGES).collectAsList();
        assertThat(images).hasSize(NasaSample.GALAXY_ITEMS - 4);

        // bytes, hash and size are those of the recorded asset; the image decoded to its real size
        Row ic1613 = images.stream()
                .filter(x -> x.getAs("image_id").equals("nasa:STL-ic1613"))
                .findFirst()
                .orElseThrow();
        byte[] file = Files.readAllBytes(NasaSample.dir().resolve("assets/STL-ic1613/STL-ic1613~thumb.jpg"));
        assertThat((byte[]) ic1613.getAs("content")).isEqualTo(file);
        assertThat(ic1613.<String>getAs("content_sha256")).isEqualTo(ImageInspector.sha256(file));
        assertThat(ic1613.<String>getAs("format")).isEqualTo("jpeg");
        assertThat(ic1613.<Integer>getAs("width")).isPositive();
        assertThat(ic1613.<String>getAs("label")).isEqualTo("galaxy");
        assertThat(ic1613.<String>getAs("origin")).startsWith(server.baseUrl()).endsWith("STL-ic1613~thumb.jpg");

        // an item returned by both queries is one row listing both, labelled by the most specific query
        Row coma = layout.read(spark, LakeTable.NASA_ITEMS)
                .where("nasa_id = 'STL-coma_cluster'")
                .first();
        assertThat(coma.<String>getList(coma.fieldIndex("queries"))).containsExactly("galaxy", "galaxy cluster");
        assertThat(images.stream()
                        .filter(x -> x.getAs("image_id").equals("nasa:STL-coma_cluster"))
                        .map(x -> x.<String>getAs("label"))
                        .findFirst())
                .contains("galaxy_cluster");
        assertThat(images.stream().filter(x -> "galaxy_cluster".equals(x.getAs("label"))))
                .hasSize(NasaSample.CLUSTER_ITEMS);
    }

    @Test
    void downloadsStartWhileTheCrawlPagesAndTheTablesEqualACleanRun() throws Exception {
        NasaIngestJob.Result clean = ingest(tmp.resolve("clean"), Map.of(), 0);
        // the first page waits 0.8 s: the lake's state is read meanwhile, so page 1's previews start downloading
        // while pages 2 and 3 are fetched
        server.script("/search", Fault.stall(800), 1);
        NasaIngestJob.Result early = ingest(tmp.resolve("early"), Map.of(), 0);
        assertThat(early.startedDuringCrawl()).isPositive().isLessThanOrEqualTo(2 * 20); // two batches at most
        assertThat(imageKeys(tmp.resolve("early"))).isEqualTo(imageKeys(tmp.resolve("clean")));
        assertThat(quarantineReasons(tmp.resolve("early"))).isEqualTo(quarantineReasons(tmp.resolve("clean")));
        assertThat(early.imagesAdded()).isEqualTo(clean.imagesAdded());
    }

    @Test
    void aSecondRunAddsNothing() throws Exception {
        Path lake = tmp.resolve("lake");
        ingest(lake, Map.of(), 0);
        LakeLayout layout = new LakeLayout(lake.toString());
        long images = layout.read(spark, LakeTable.IMAGES).count();
        long items = layout.read(spark, LakeTable.NASA_ITEMS).count();
        long quarantined = layout.read(spark, LakeTable.QUARANTINE).count();
        Set<String> keys = imageKeys(lake);

        NasaIngestJob.Result again = ingest(lake, Map.of(), 0);
        assertThat(again.imagesAdded()).isZero();
        assertThat(layout.read(spark, LakeTable.IMAGES).count()).isEqualTo(images);
        assertThat(layout.read(spark, LakeTable.NASA_ITEMS).count()).isEqualTo(items);
        assertThat(layout.read(spark, LakeTable.QUARANTINE).count()).isEqualTo(quarantined);
        assertThat(imageKeys(lake)).isEqualTo(keys);
    }

    @Test
    void aLaterQueryUnitesTheQueriesOfItemsTheLakeHoldsAndAppendsOnlyNewOnes() throws Exception {
        // items new to the lake are appended and known ones merged: the two runs must end as one run of both.
        // Every galaxy-cluster item is also a galaxy item, so the second run has new items and known ones.
        Path lake = tmp.resolve("lake");
        CosmicConfig c = config(lake, Map.of());
        LakeLayout layout = new LakeLayout(lake.toString());
        NasaIngestJob.Result first =
                new NasaIngestJob(JobContext.of(spark, layout, c)).run(List.of("galaxy cluster"), 0, 0);
        Row before = layout.read(spark, LakeTable.NASA_ITEMS)
                .where("nasa_id = 'STL-coma_cluster'")
                .first();
        assertThat(before.<String>getList(before.fieldIndex("queries"))).containsExactly("galaxy cluster");
        assertThat(first.items()).isPositive().isLessThan(NasaSample.GALAXY_ITEMS);
        long afterFirst = layout.version(spark, LakeTable.NASA_ITEMS.tableName());

        new NasaIngestJob(JobContext.of(spark, layout, c)).run(List.of("galaxy"), 0, 0);
        Dataset<Row> items = layout.read(spark, LakeTable.NASA_ITEMS);
        assertThat(items.count())
                .isEqualTo(items.select("nasa_id").distinct().count())
                .isEqualTo(NasaSample.GALAXY_ITEMS); // as many as one run of both queries (first test)
        Row coma = items.where("nasa_id = 'STL-coma_cluster'").first();
        assertThat(coma.<String>getList(coma.fieldIndex("queries"))).containsExactly("galaxy", "galaxy cluster");
        // the most specific query still labels the shared item, whichever run saw it first
        assertThat(layout.read(spark, LakeTable.IMAGES)
                        .where("image_id = 'nasa:STL-coma_cluster'")
                        .select("label")
                        .as(org.apache.spark.sql.Encoders.STRING())
                        .collectAsList())
                .containsExactly("galaxy_cluster");
        // the second run's commits: the new items appended, the known ones merged
        assertThat(io.delta.tables.DeltaTable.forPath(spark, layout.location(LakeTable.NASA_ITEMS))
                        .history()
                        .where(org.apache.spark.sql.functions.col("version").gt(afterFirst))
                        .select("operation")
                        .as(org.apache.spark.sql.Encoders.STRING())
                        .collectAsList())
                .containsExactlyInAnyOrder("WRITE", "MERGE");
    }

    @Test
    void aRunStoppedAfterNImagesThenResumedEqualsACleanRun() throws Exception {
        Path clean = tmp.resolve("clean");
        ingest(clean, Map.of(), 0);

        Path resumed = tmp.resolve("resumed");
        NasaIngestJob.Result first = ingest(resumed, Map.of(), 13);
        // 13 downloads attempted, the corrupt and the missing preview among them
        assertThat(first.imagesAdded()).isBetween(11L, 13L);
        assertThat(new LakeLayout(resumed.toString())
                        .read(spark, LakeTable.IMAGES)
                        .count())
                .isEqualTo(first.imagesAdded());
        ingest(resumed, Map.of(), 0);

        assertThat(imageKeys(resumed)).isEqualTo(imageKeys(clean)).hasSize(NasaSample.GALAXY_ITEMS - 4);
        assertThat(quarantineReasons(resumed)).isEqualTo(quarantineReasons(clean));
    }

    @Test
    void survives429And503AndAStalledResponse() throws Exception {
        server.script("/search", Fault.status(429, Map.of("Retry-After", "1")), 2);
        server.script("/image/STL-ic1613/", Fault.status(503, Map.of()), 2);
        server.script("/image/STL-ic2574/", Fault.stall(3000), 1); // longer than the 1.5 s read timeout
        long t0 = System.nanoTime();
        Path lake = tmp.resolve("lake");
        ingest(lake, Map.of(), 0);
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertThat(seconds).as("Retry-After: 1 was honoured twice").isGreaterThanOrEqualTo(2.0);
        assertThat(server.hits("/image/STL-ic1613/")).isEqualTo(3);
        assertThat(server.hits("/image/STL-ic2574/")).isEqualTo(2);
        assertThat(imageKeys(lake)).hasSize(NasaSample.GALAXY_ITEMS - 4);
    }

    @Test
    void exhaustedRetriesQuarantineThenARerunRecoversAndClearsTheQuarantine() throws Exception {
        Path lake = tmp.resolve("lake");
        server.script("/image/STL-ic1613/", Fault.status(503, Map.of()), 3);
        ingest(lake, Map.of("nasa.http.max-retries", "2"), 0);
        assertThat(quarantineReasons(lake)).containsEntry("nasa:STL-ic1613", "download_http_error");
        String detail = new LakeLayout(lake.toString())
                .read(spark, LakeTable.QUARANTINE)
                .where("record_id = 'nasa:STL-ic1613'")
                .first()
                .getAs("detail");
        assertThat(detail).contains("HTTP 503 after 3 attempts");

        ingest(lake, Map.of("nasa.http.max-retries", "2"), 0);
        assertThat(quarantineReasons(lake)).doesNotContainKey("nasa:STL-ic1613").hasSize(4);
        assertThat(imageKeys(lake)).hasSize(NasaSample.GALAXY_ITEMS - 4);
    }

    @Test
    void quarantineLabelPolicySendsAmbiguousItemsToQuarantine() throws Exception {
        Path lake = tmp.resolve("lake");
        ingest(lake, Map.of("nasa.label-policy", "quarantine"), 0);
        Map<String, String> q = quarantineReasons(lake);
        assertThat(q.entrySet().stream().filter(e -> e.getValue().equals("ambiguous_label")))
                .hasSize(NasaSample.CLUSTER_ITEMS);
        assertThat(q).containsEntry("nasa:STL-coma_cluster", "ambiguous_label");
    }

    @Test
    void maxPagesStopsFollowingNextLinks() throws Exception {
        Path lake = tmp.resolve("lake");
        CosmicConfig c = config(lake, Map.of());
        NasaIngestJob.Result r = new NasaIngestJob(
                        JobContext.of(spark, new LakeLayout(c.lake().root()), c))
                .run(List.of("galaxy"), 1, 0);
        assertThat(r.pages()).isEqualTo(1);
        assertThat(r.items()).isEqualTo(25);
    }

    @Test
    void unreachableApiFailsWithOneRemoteErrorAndWritesNoTable() {
        Path lake = tmp.resolve("lake");
        CosmicConfig c = SharedSpark.config(
                lake.toString(),
                Map.of(
                        "nasa.api-url",
                        "http://127.0.0.1:1",
                        "nasa.http.max-retries",
                        "1",
                        "nasa.http.backoff-base-ms",
                        "10"));
        assertThatThrownBy(() -> new NasaIngestJob(
                                JobContext.of(spark, new LakeLayout(c.lake().root()), c))
                        .run(QUERIES, 0, 0))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("NASA API failed for query 'galaxy'")
                .hasMessageContaining("127.0.0.1:1")
                .satisfies(e -> assertThat(((CosmicException) e).exitCode()).isEqualTo(ExitCode.REMOTE));
        LakeLayout layout = new LakeLayout(lake.toString());
        assertThat(layout.exists(spark, LakeTable.IMAGES)).isFalse();
        assertThat(layout.exists(spark, LakeTable.NASA_ITEMS)).isFalse();
    }
}

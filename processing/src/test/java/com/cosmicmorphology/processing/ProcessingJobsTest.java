package com.cosmicmorphology.processing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.config.ResizePolicy;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.processing.clean.CleanJob;
import com.cosmicmorphology.processing.eda.EdaJob;
import com.cosmicmorphology.processing.eda.EdaTables;
import com.cosmicmorphology.processing.inputs.ModelInputsJob;
import com.cosmicmorphology.processing.split.SplitJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * EDA, cleaning, splits and model inputs on real photographs, with an exact duplicate and a resized
 * near-duplicate planted. One lake for the class (the jobs build on each other); tests that change it
 * use their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessingJobsTest {
    static final String[] CLASSES = {"galaxy", "planetary_nebula", "open_cluster", "supernova_remnant"};
    static final String ORIGINAL = "planetary_nebula/" + firstFile("planetary_nebula");

    @TempDir
    static Path tmp;

    private final SparkSession spark = SharedSpark.get();
    private LakeLayout lake;
    private CosmicConfig config;
    private EdaJob.Result eda;
    private CleanJob.Result clean;

    static String firstFile(String cls) {
        try (var s = Files.list(ImagesFixture.SAMPLE.resolve(cls))) {
            return s.sorted().findFirst().orElseThrow().getFileName().toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    void buildLake() throws Exception {
        lake = new LakeLayout(tmp.resolve("lake").toString());
        config = SharedSpark.config(lake.root(), Map.of());
        byte[] original = ImagesFixture.bytes(ORIGINAL);
        new ImagesFixture()
                .sample(6, CLASSES)
                .add("folder:planetary_nebula/copy-of-original.jpg", "planetary_nebula", original)
                .add(
                        "folder:planetary_nebula/resized-original.jpg",
                        "planetary_nebula",
                        ImagesFixture.resized(original, 0.6))
                .writeTo(spark, lake, SaveMode.ErrorIfExists);
        eda = new EdaJob(JobContext.of(spark, lake, config)).run(tmp.resolve("report"), true);
        clean = new CleanJob(JobContext.of(spark, lake, config)).run();
        new SplitJob(JobContext.of(spark, lake)).run(42, List.of(0.7, 0.15, 0.15));
    }

    private Map<String, Row> curated() {
        return lake.read(spark, LakeTable.CURATED_IMAGES).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getAs("image_id"), r -> r));
    }

    private Map<String, String> splits(LakeLayout l) {
        return spark.read().format("delta").load(l.location(LakeTable.SPLITS)).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getAs("image_id"), r -> r.getAs("split")));
    }

    @Test
    void edaTablesCountWhatIsThere() {
        Map<String, Long> counts =
                spark.read().format("delta").load(lake.location(EdaTables.CLASS_COUNTS)).collectAsList().stream()
                        .collect(Collectors.toMap(r -> r.getString(1), r -> r.getLong(2)));
        assertThat(counts)
                .containsOnly(
                        Map.entry("galaxy", 6L),
                        Map.entry("planetary_nebula", 8L),
                        Map.entry("open_cluster", 6L),
                        Map.entry("supernova_remnant", 6L));
        // one row per content hash: the exact copy shares its original's
        assertThat(eda.pixels().computed()).isEqualTo(25);
        assertThat(spark.read()
                        .format("delta")
                        .load(lake.location(EdaTables.DUPLICATES))
                        .count())
                .isEqualTo(1);
        Row px = spark.read()
                .format("delta")
                .load(lake.location(EdaTables.PIXELS_PER_CLASS))
                .where("label = 'galaxy'")
                .first();
        // the class mean is the mean over the class's images of each image's own dark fraction
        double expected = lake.read(spark, LakeTable.IMAGES)
                .where("label = 'galaxy'")
                .select("content_sha256")
                .join(
                        lake.read(spark, LakeTable.EDA_PIXEL_STATS).select("content_sha256", "dark_fraction"),
                        "content_sha256")
                .agg(org.apache.spark.sql.functions.avg("dark_fraction"))
                .first()
                .getDouble(0);
        assertThat(px.<Double>getAs("dark_fraction_mean"))
                .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9))
                .isGreaterThan(0.02); // sky photographs: a dark background
        assertThat(px.<Long>getAs("n")).isEqualTo(6L);
    }

    @Test
    void reportReferencesChartsThatExist() throws Exception {
        Path index = eda.report();
        String html = Files.readString(index);
        for (String png : List.of("class_balance.png", "sizes.png", "brightness.png", "thumbs_galaxy.png")) {
            assertThat(html).contains("src=\"" + png + "\"");
            assertThat(index.resolveSibling(png)).isRegularFile();
            assertThat(Files.size(index.resolveSibling(png))).isGreaterThan(1000);
        }
        assertThat(html).contains("Duplicates found").contains("copy-of-original.jpg");
    }

    @Test
    void plantedDuplicateAndNearDuplicateAreFoundAndSplitTogether() {
        Map<String, Row> c = curated();
        String orig = "folder:" + ORIGINAL;
        assertThat(c.get("folder:planetary_nebula/copy-of-original.jpg").<String>getAs("reason"))
                .isEqualTo("duplicate");
        Row resized = c.get("folder:planetary_nebula/resized-original.jpg");
        assertThat(resized.<Boolean>getAs("included")).isTrue();
        assertThat(resized.<String>getAs("group_id")).isEqualTo(c.get(orig).getAs("group_id"));
        assertThat(clean.nearDuplicatePairs()).isGreaterThanOrEqualTo(1);
        Map<String, String> s = splits(lake);
        assertThat(s.get("folder:planetary_nebula/copy-of-original.jpg")).isEqualTo(s.get(orig));
        assertThat(s.get("folder:planetary_nebula/resized-original.jpg")).isEqualTo(s.get(orig));
    }

    @Test
    void everyClassWithThreeOrMoreGroupsHasEverySplit() {
        List<Row> perLabel = spark.read()
                .format("delta")
                .load(lake.location(LakeTable.SPLITS))
                .where("included")
                .groupBy("label")
                .agg(org.apache.spark.sql.functions.countDistinct("split").as("k"))
                .collectAsList();
        assertThat(perLabel).hasSize(4).allSatisfy(r -> assertThat(r.getLong(1)).isEqualTo(3));
    }

    @Test
    void splitIsTheSameWhateverThePartitioningAndMaster() throws Exception {
        Map<String, String> here = splits(lake);
        // same curated rows, scattered over 7 files, split in another JVM on local[1] with 1 shuffle partition
        LakeLayout other = new LakeLayout(tmp.resolve("other").toString());
        lake.read(spark, LakeTable.CURATED_IMAGES)
                .repartition(7)
                .write()
                .format("delta")
                .save(other.location(LakeTable.CURATED_IMAGES));
        ProcessBuilder pb = new ProcessBuilder(javaCommand(
                "split",
                "--lake",
                other.root(),
                "--master",
                "local[1]",
                "--seed",
                "42",
                "--set",
                "spark.shuffle-partitions=1"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(splits(other)).isEqualTo(here);
    }

    static List<String> javaCommand(String... args) {
        List<String> cmd = new java.util.ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a ->
                        a.startsWith("--add-opens") || a.startsWith("-XX:+Ignore") || a.startsWith("-Djdk.reflect"))
                .toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "com.cosmicmorphology.common.cli.Cosmic"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void appendingImagesNeverMovesAnEarlierOne() throws Exception {
        LakeLayout grown = new LakeLayout(tmp.resolve("grown").toString());
        new ImagesFixture().sample(6, CLASSES).writeTo(spark, grown, SaveMode.ErrorIfExists);
        CosmicConfig c = SharedSpark.config(grown.root(), Map.of());
        new CleanJob(JobContext.of(spark, grown, c)).run();
        new SplitJob(JobContext.of(spark, grown)).run(7, List.of(0.7, 0.15, 0.15));
        Map<String, String> before = splits(grown);

        new ImagesFixture().sample(12, CLASSES).writeTo(spark, grown, SaveMode.Overwrite); // 6 more per class
        new CleanJob(JobContext.of(spark, grown, c)).run();
        new SplitJob(JobContext.of(spark, grown)).run(7, List.of(0.7, 0.15, 0.15));
        Map<String, String> after = splits(grown);
        assertThat(after).hasSize(12 * 3 + 7); // the sample holds 7 supernova remnants
        before.forEach((id, split) -> assertThat(after.get(id)).as(id).isEqualTo(split));
    }

    @Test
    void imagesOfAClassTheModelDoesNotHaveStayInTheLakeExcludedAsUnknownClass() throws Exception {
        LakeLayout l = new LakeLayout(tmp.resolve("unknown-classes").toString());
        // a SpaceNet folder nobody mapped: its photographs land under their own label
        new ImagesFixture()
                .sample(3, "galaxy", "open_cluster")
                .add(
                        "folder:planet/p1.jpg",
                        "planet",
                        ImagesFixture.bytes("globular_cluster/" + firstFile("globular_cluster")))
                .writeTo(spark, l, SaveMode.ErrorIfExists);
        CosmicConfig c = SharedSpark.config(l.root(), Map.of("clean.classes", "galaxy,open_cluster"));
        CleanJob.Result r = new CleanJob(JobContext.of(spark, l, c)).run();
        assertThat(r.excludedByReason()).containsEntry("unknown_class", 1L);
        Row planet = l.read(spark, LakeTable.CURATED_IMAGES)
                .where("image_id = 'folder:planet/p1.jpg'")
                .first();
        assertThat(planet.<Boolean>getAs("included")).isFalse();
        assertThat(planet.<String>getAs("detail"))
                .contains("'planet'")
                .contains("clean.classes")
                .contains("ingest.folder-label-map");
        new SplitJob(JobContext.of(spark, l)).run(42, List.of(0.7, 0.15, 0.15));
        assertThat(l.read(spark, LakeTable.SPLITS)
                        .where("included")
                        .select("label")
                        .distinct()
                        .collectAsList())
                .extracting(x -> x.getString(0))
                .containsExactlyInAnyOrder("galaxy", "open_cluster");
        // without clean.classes every label is a class (the built-in default)
        assertThat(new CleanJob(JobContext.of(spark, l, SharedSpark.config(l.root(), Map.of())))
                        .run()
                        .excludedByReason())
                .doesNotContainKey("unknown_class");
    }

    @Test
    void mosaicTilesStayInOneGroupAndOneSplitOrAreExcludedWhenConfigured() throws Exception {
        LakeLayout mosaic = new LakeLayout(tmp.resolve("mosaic").toString());
        // the sample's first 9 emission nebulae and galaxies by name hold real tiles of two mosaics: Barnard's Loop
        // (barnard_loop-1, -2, -4) and the Large Magellanic Cloud (lmc_01 .. lmc_04, lmc_08)
        new ImagesFixture()
                .sample(9, "emission_reflection_nebula", "galaxy")
                .writeTo(spark, mosaic, SaveMode.ErrorIfExists);
        Map<String, List<String>> mosaics = Map.of(
                "folder:emission_reflection_nebula/barnard_loop-1.jpg",
                        List.of(
                                "folder:emission_reflection_nebula/barnard_loop-1.jpg",
                                "folder:emission_reflection_nebula/barnard_loop-2.jpg",
                                "folder:emission_reflection_nebula/barnard_loop-4.jpg"),
                "folder:galaxy/lmc_01.jpg",
                        List.of(
                                "folder:galaxy/lmc_01.jpg",
                                "folder:galaxy/lmc_02.jpg",
                                "folder:galaxy/lmc_03.jpg",
                                "folder:galaxy/lmc_04.jpg",
                                "folder:galaxy/lmc_08.jpg"));
        List<String> tiles = mosaics.values().stream().flatMap(List::stream).toList();

        new CleanJob(JobContext.of(spark, mosaic, SharedSpark.config(mosaic.root(), Map.of()))).run();
        new SplitJob(JobContext.of(spark, mosaic)).run(42, List.of(0.7, 0.15, 0.15));
        Map<String, Row> kept = mosaic.read(spark, LakeTable.CURATED_IMAGES).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getAs("image_id"), r -> r));
        Map<String, String> s = splits(mosaic);
        mosaics.forEach((group, members) -> {
            for (String t : members) {
                assertThat(kept.get(t).<Boolean>getAs("included")).as(t).isTrue();
                assertThat(kept.get(t).<String>getAs("group_id")).as(t).isEqualTo(group);
                assertThat(kept.get(t).<String>getAs("detail")).as(t).contains("tile of a mosaic");
                assertThat(s.get(t)).as(t).isEqualTo(s.get(group));
            }
        });
        // every other image is its own group: the tiles' grouping took nothing else in
        assertThat(kept).hasSize(18);
        kept.values().stream()
                .filter(r -> !tiles.contains(r.<String>getAs("image_id")))
                .forEach(r -> assertThat(r.<String>getAs("group_id")).isEqualTo(r.<String>getAs("image_id")));

        new CleanJob(JobContext.of(
                        spark, mosaic, SharedSpark.config(mosaic.root(), Map.of("clean.exclude-mosaic-tiles", "true"))))
                .run();
        Map<String, Row> excluded = mosaic.read(spark, LakeTable.CURATED_IMAGES).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getAs("image_id"), r -> r));
        for (String t : tiles) {
            assertThat(excluded.get(t).<Boolean>getAs("included")).as(t).isFalse();
            assertThat(excluded.get(t).<String>getAs("reason")).as(t).isEqualTo("mosaic_tile");
        }
        assertThat(excluded.values().stream().filter(r -> !r.<Boolean>getAs("included")))
                .hasSize(tiles.size());
    }

    @Test
    void pixelStatsAreIncremental() throws Exception {
        LakeLayout l = new LakeLayout(tmp.resolve("incremental").toString());
        new ImagesFixture().sample(3, "galaxy").writeTo(spark, l, SaveMode.ErrorIfExists);
        CosmicConfig c = SharedSpark.config(l.root(), Map.of());
        assertThat(new EdaJob(JobContext.of(spark, l, c))
                        .run(null, true)
                        .pixels()
                        .computed())
                .isEqualTo(3);
        new ImagesFixture()
                .add(
                        "folder:galaxy/new.jpg",
                        "galaxy",
                        ImagesFixture.bytes("open_cluster/" + firstFile("open_cluster")))
                .writeTo(spark, l, SaveMode.Append);
        var again = new EdaJob(JobContext.of(spark, l, c)).run(null, true).pixels();
        assertThat(again.computed()).isEqualTo(1);
        assertThat(again.reused()).isEqualTo(3);
    }

    @Test
    void pixelStatsOverNoImagesLeaveAnEmptyTableForReaders() {
        LakeLayout l = new LakeLayout(tmp.resolve("no-images").toString());
        new ImagesFixture().writeTo(spark, l, SaveMode.ErrorIfExists);
        var r = new com.cosmicmorphology.processing.pixels.PixelStatsJob(JobContext.of(spark, l)).run();
        assertThat(r.computed()).isZero();
        assertThat(l.read(spark, LakeTable.EDA_PIXEL_STATS).count()).isZero();
    }

    @Test
    void modelInputsAreMadeOnceAtTheRequestedSize() {
        ModelInputsJob job = new ModelInputsJob(JobContext.of(spark, lake));
        ModelInputsJob.Result first = job.run(32, ResizePolicy.PAD);
        assertThat(first.prepared()).isEqualTo(clean.included());
        Row r = lake.read(spark, LakeTable.MODEL_INPUTS).where("size = 32").first();
        assertThat((byte[]) r.getAs("pixels")).hasSize(32 * 32 * 3);
        assertThat(r.<String>getAs("normalisation")).isEqualTo("pixel/255");
        ModelInputsJob.Result second = job.run(32, ResizePolicy.PAD);
        assertThat(second.prepared()).isZero();
        assertThat(second.reused()).isEqualTo(clean.included());
    }

    @Test
    void synthesizeMakesSeededVariantsOfTrainAndValImagesOnlyOnce() {
        new ModelInputsJob(JobContext.of(spark, lake)).run(40, ResizePolicy.CENTER_CROP);
        var job = new com.cosmicmorphology.processing.synthetic.SyntheticJob(JobContext.of(spark, lake));
        var first = job.run(40, ResizePolicy.CENTER_CROP, 2, 42);

        Map<String, String> split = splits(lake);
        Map<String, String> shaOf = curated().values().stream()
                .filter(r -> r.<Boolean>getAs("included"))
                .collect(Collectors.toMap(r -> r.getAs("image_id"), r -> r.getAs("content_sha256")));
        java.util.Set<String> trainVal = shaOf.entrySet().stream()
                .filter(e -> !"test".equals(split.get(e.getKey())))
                .map(Map.Entry::getValue)
                .collect(Collectors.toSet());
        java.util.Set<String> testShas = shaOf.entrySet().stream()
                .filter(e -> "test".equals(split.get(e.getKey())))
                .map(Map.Entry::getValue)
                .collect(Collectors.toSet());
        assertThat(testShas).isNotEmpty();
        assertThat(first.parents()).isEqualTo(trainVal.size());
        assertThat(first.created()).isEqualTo(2L * trainVal.size());
        List<Row> rows = lake.read(spark, LakeTable.SYNTHETIC_INPUTS).collectAsList();
        assertThat(rows).hasSize(2 * trainVal.size());
        assertThat(rows).extracting(r -> r.<String>getAs("parent_sha256")).doesNotContainAnyElementsOf(testShas);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.<Boolean>getAs("synthetic")).isTrue();
            assertThat((byte[]) r.getAs("pixels")).hasSize(40 * 40 * 3);
            assertThat(r.<String>getAs("content_sha256")).isNotEqualTo(r.getAs("parent_sha256"));
            assertThat(r.<String>getAs("recipe")).isEqualTo("v1/seed=42");
            assertThat(r.<String>getAs("transform")).contains("rotate=").contains("read_noise=");
        });
        // a variant is a pure function of its parent's input, the seed and its number
        Row one = rows.get(0);
        byte[] parentPixels = lake.read(spark, LakeTable.MODEL_INPUTS)
                .where(col("size")
                        .equalTo(40)
                        .and(col("policy").equalTo("center-crop"))
                        .and(col("content_sha256").equalTo(one.<String>getAs("parent_sha256"))))
                .first()
                .getAs("pixels");
        byte[] again = com.cosmicmorphology.processing.synthetic.SyntheticImage.of(
                        parentPixels,
                        40,
                        com.cosmicmorphology.processing.synthetic.SyntheticJob.variantSeed(
                                42, one.getAs("parent_sha256"), one.<Integer>getAs("variant")))
                .pixels();
        assertThat(again).isEqualTo((byte[]) one.getAs("pixels"));

        var rerun = job.run(40, ResizePolicy.CENTER_CROP, 2, 42);
        assertThat(rerun.created()).isZero();
        assertThat(rerun.reused()).isEqualTo(2L * trainVal.size());
        var more = job.run(40, ResizePolicy.CENTER_CROP, 3, 42);
        assertThat(more.created()).isEqualTo(trainVal.size());
        assertThat(lake.read(spark, LakeTable.SYNTHETIC_INPUTS).count()).isEqualTo(3L * trainVal.size());

        assertThatThrownBy(() -> job.run(44, ResizePolicy.CENTER_CROP, 1, 42))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("have no model input at 44 px")
                .hasMessageContaining("run './cosmic prepare --size 44 --policy center-crop' first");
    }

    @Test
    void aMalformedModelInputCostsItsImageAQuarantineRowNotTheSynthesizeRun() throws Exception {
        // a copy of the class's lake (Delta tables are relocatable folders): this test damages a model input
        LakeLayout lake = new LakeLayout(tmp.resolve("lake-malformed").toString());
        Path from = Path.of(this.lake.root());
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path to = Path.of(lake.root()).resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        new ModelInputsJob(JobContext.of(spark, lake)).run(48, ResizePolicy.CENTER_CROP);
        Row victim = lake.read(spark, LakeTable.MODEL_INPUTS)
                .where("size = 48")
                .join(
                        lake.read(spark, LakeTable.SPLITS)
                                .where("split = 'train'")
                                .select("image_id"),
                        "image_id")
                .orderBy("image_id")
                .first();
        io.delta.tables.DeltaTable.forPath(spark, lake.location(LakeTable.MODEL_INPUTS))
                .update(
                        col("size").equalTo(48).and(col("content_sha256").equalTo(victim.getAs("content_sha256"))),
                        Map.of("pixels", org.apache.spark.sql.functions.unhex(lit("00FF"))));
        var job = new com.cosmicmorphology.processing.synthetic.SyntheticJob(JobContext.of(spark, lake));
        var r = job.run(48, ResizePolicy.CENTER_CROP, 1, 42);
        assertThat(r.created()).isEqualTo(r.parents()).isPositive();
        assertThat(lake.read(spark, LakeTable.SYNTHETIC_INPUTS)
                        .where(col("size")
                                .equalTo(48)
                                .and(col("parent_sha256").equalTo(victim.getAs("content_sha256"))))
                        .count())
                .isZero();
        Row q = lake.read(spark, LakeTable.QUARANTINE)
                .where("stage = 'synthesize'")
                .first();
        assertThat(q.<String>getAs("reason")).isEqualTo("bad_model_input");
        assertThat(q.<String>getAs("detail")).startsWith("2 bytes, not 48x48x3");
    }

    @Test
    void anUndecodableImageAtInputPreparationGoesToQuarantineOnce() throws Exception {
        LakeLayout l = new LakeLayout(tmp.resolve("damaged").toString());
        new ImagesFixture()
                .sample(2, "galaxy")
                .addUndecodable("folder:galaxy/damaged.jpg", "galaxy", "not a JPEG any more".getBytes())
                .writeTo(spark, l, SaveMode.ErrorIfExists);
        // curated as included (the damage happened after cleaning), so only input preparation can catch it
        spark.read()
                .format("delta")
                .load(l.location(LakeTable.IMAGES))
                .select(
                        col("image_id"),
                        col("source"),
                        col("label"),
                        col("content_sha256"),
                        col("image_id").as("group_id"),
                        lit(true).as("included"),
                        lit("ok").as("reason"),
                        lit(null).cast("string").as("detail"),
                        current_timestamp().as("curated_at"))
                .write()
                .format("delta")
                .save(l.location(LakeTable.CURATED_IMAGES));
        ModelInputsJob job = new ModelInputsJob(JobContext.of(spark, l));
        ModelInputsJob.Result first = job.run(24, ResizePolicy.CENTER_CROP);
        assertThat(first.prepared()).isEqualTo(2);
        assertThat(first.failed()).isEqualTo(1);
        List<Row> quarantined = spark.read()
                .format("delta")
                .load(l.location(LakeTable.QUARANTINE))
                .where("stage = 'inputs'")
                .collectAsList();
        assertThat(quarantined).singleElement().satisfies(r -> {
            assertThat(r.<String>getAs("record_id")).isEqualTo("folder:galaxy/damaged.jpg");
            assertThat(r.<String>getAs("detail")).contains("no decoder");
        });
        // the failure is recorded in the inputs table too, so a re-run neither retries nor quarantines it again
        ModelInputsJob.Result second = job.run(24, ResizePolicy.CENTER_CROP);
        assertThat(second.prepared()).isZero();
        assertThat(second.reused()).isEqualTo(3);
        assertThat(spark.read()
                        .format("delta")
                        .load(l.location(LakeTable.QUARANTINE))
                        .where("stage = 'inputs'")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void splitBeforeCleanNamesTheCommandToRun() {
        LakeLayout empty = new LakeLayout(tmp.resolve("empty").toString());
        assertThatThrownBy(() -> new SplitJob(JobContext.of(spark, empty)).run(1, List.of(0.7, 0.15, 0.15)))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("run './cosmic clean' first")
                .satisfies(e -> assertThat(((CosmicException) e).exitCode()).isEqualTo(ExitCode.MISSING_INPUT));
        assertThatThrownBy(() -> new EdaJob(JobContext.of(spark, empty, config)).run(null, true))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("run './cosmic ingest");
    }
}

package com.cosmicmorphology.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.config.ResizePolicy;
import com.cosmicmorphology.common.image.InputResizer;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.eval.EvaluateJob;
import com.cosmicmorphology.training.predict.PredictJob;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Train -> evaluate -> predict on real photographs at a tiny input size, over lake tables written in the
 * contract's columns (training reads what processing writes, not processing's code).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingTest {
    static final Path SAMPLE =
            Path.of("../data/sample/stellarium").toAbsolutePath().normalize();
    static final String[] CLASSES = {"galaxy", "globular_cluster", "planetary_nebula"};
    static final int SIZE = 96;
    static final String KERAS =
            Path.of("../models/mobilenet_v2_imagenet_block10_features.h5").toString();

    @TempDir
    static Path tmp;

    private final SparkSession spark = SharedSpark.get();
    private LakeLayout lake;
    private CosmicConfig config;
    private TrainJob.Result trained;
    private Path modelDir;

    private CosmicConfig config(String root, Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(Map.of(
                "training.input-size",
                Integer.toString(SIZE),
                "training.feature-views",
                "2",
                "training.epochs",
                "60",
                "training.patience",
                "20",
                "training.keras-model",
                KERAS,
                "inputs.policy",
                "center-crop"));
        all.putAll(extra);
        return SharedSpark.config(root, all);
    }

    /** 14 photographs per class: 8 train, 3 val, 3 test (by name order), as curated, splits and inputs rows. */
    static void writeLake(SparkSession spark, LakeLayout lake, String[] classes, boolean withVal) throws Exception {
        List<Row> splits = new ArrayList<>();
        List<Row> curated = new ArrayList<>();
        List<Row> inputs = new ArrayList<>();
        Timestamp now = Timestamp.from(Instant.now());
        for (String c : classes) {
            List<Path> files;
            try (Stream<Path> s = Files.list(SAMPLE.resolve(c))) {
                files = s.sorted().limit(14).toList();
            }
            for (int i = 0; i < files.size(); i++) {
                String id = "folder:" + c + "/" + files.get(i).getFileName();
                String split = i < 8 ? "train" : i < 11 ? (withVal ? "val" : "train") : "test";
                byte[] bytes = Files.readAllBytes(files.get(i));
                String sha = com.cosmicmorphology.common.image.Hashes.sha256(bytes);
                splits.add(RowFactory.create(id, c, split, id, true, 42L));
                curated.add(RowFactory.create(id, "folder", c, sha, id, true, "ok", null, now));
                byte[] px = InputResizer.toHwcRgb(
                        ImageIO.read(new ByteArrayInputStream(bytes)), SIZE, ResizePolicy.CENTER_CROP);
                inputs.add(RowFactory.create(sha, SIZE, "center-crop", id, px, "pixel/255", null, now));
            }
        }
        spark.createDataFrame(splits, LakeTable.SPLITS.schema())
                .write()
                .format("delta")
                .save(lake.location(LakeTable.SPLITS));
        spark.createDataFrame(curated, LakeTable.CURATED_IMAGES.schema())
                .write()
                .format("delta")
                .save(lake.location(LakeTable.CURATED_IMAGES));
        spark.createDataFrame(inputs, LakeTable.MODEL_INPUTS.schema())
                .write()
                .format("delta")
                .save(lake.location(LakeTable.MODEL_INPUTS));
    }

    @BeforeAll
    void train() throws Exception {
        lake = new LakeLayout(tmp.resolve("lake").toString());
        config = config(lake.root(), Map.of());
        writeLake(spark, lake, CLASSES, true);
        modelDir = tmp.resolve("model");
        trained = new TrainJob(JobContext.of(spark, lake, config)).run(modelDir);
    }

    @Test
    @SuppressWarnings("unchecked")
    void trainsAndBeatsTheMajorityClassOnHeldBackImages() {
        assertThat(trained.featuresComputed()).isEqualTo(3 * 11 * 2); // train + val images, 2 views each
        assertThat(modelDir.resolve("head.zip")).isRegularFile();
        assertThat(modelDir.resolve("metadata.json"))
                .content()
                .contains("\"classes\"")
                .contains("globular_cluster")
                .contains("table_versions")
                .contains("validation_metrics")
                .contains("\"backbone\"")
                .contains("\"cross_validation\"")
                .contains("majority_baseline")
                .contains("\"train_images\" : 33")
                .contains("\"trained_on_splits\" : [ \"train\", \"val\" ]");
        // the head CV chose beats the majority class it was compared with, on images it did not train on
        assertThat(trained.cv().best().macroF1())
                .isGreaterThan(trained.cv().majority().macroF1());
        assertThat(trained.cv().candidates())
                .extracting(c -> c.spec().kind().key())
                .containsExactly("linear", "mlp");
        EvaluateJob.Result r = new EvaluateJob(JobContext.of(spark, lake, config)).run(modelDir, "test");
        assertThat(r.images()).isEqualTo(9);
        double majority = 1.0 / 3;
        assertThat(r.report().accuracy()).isGreaterThan(majority);
        assertThat(r.confusionPng()).isRegularFile();
        // the test figures land in the metadata beside the CV estimate the head was chosen with
        Map<String, Object> test = evaluation(modelDir, "test");
        assertThat(((Number) test.get("accuracy")).doubleValue())
                .isEqualTo(r.report().accuracy());
        assertThat(((Number) test.get("macro_f1")).doubleValue())
                .isEqualTo(r.report().macroF1());
        assertThat(test.get("images")).isEqualTo(9);
        assertThat(((Map<String, Object>) test.get("recall")).keySet()).containsExactlyInAnyOrder(CLASSES);
        assertThat(modelDir.resolve("metadata.json")).content().contains("\"cross_validation\"");
        long rows = spark.read()
                .format("delta")
                .load(lake.location(LakeTable.METRICS))
                .where("model_id = '" + trained.modelId() + "' AND split = 'test'")
                .count();
        assertThat(rows).isEqualTo(3 + 3 * 5); // overall + per class
        // evaluating again replaces the rows
        new EvaluateJob(JobContext.of(spark, lake, config)).run(modelDir, "test");
        assertThat(spark.read()
                        .format("delta")
                        .load(lake.location(LakeTable.METRICS))
                        .where("model_id = '" + trained.modelId() + "' AND split = 'test'")
                        .count())
                .isEqualTo(rows);
    }

    @Test
    void backbonePassesOnTheExecutorsGiveTheDriverPathsFeaturesAndRunNoneInTheDriver() throws Exception {
        // engine=spark takes the executor path even in local mode (where the executors live in this JVM, but the
        // work still goes through Spark tasks over features_inputs, not through the driver's in-memory images)
        LakeLayout viaTasks = new LakeLayout(tmp.resolve("lake-tasks").toString());
        LakeLayout viaDriver = new LakeLayout(tmp.resolve("lake-driver").toString());
        writeLake(spark, viaTasks, CLASSES, true);
        writeLake(spark, viaDriver, CLASSES, true);
        CosmicConfig.Training onExecutors = config(viaTasks.root(), Map.of("training.distributed.engine", "spark"))
                .training();
        CosmicConfig.Training inDriver = config(viaDriver.root(), Map.of("training.distributed.engine", "local"))
                .training();
        var images =
                new com.cosmicmorphology.training.data.TrainingData(spark, viaTasks).load("train", SIZE, "center-crop");

        long driverBefore = com.cosmicmorphology.training.features.FeatureStore.driverPasses();
        var tasks = com.cosmicmorphology.training.features.FeatureStore.of(
                spark, viaTasks, Backbones.create(onExecutors), onExecutors, "center-crop");
        Map<String, float[][]> a = tasks.features(images, 2);
        assertThat(com.cosmicmorphology.training.features.FeatureStore.driverPasses())
                .isEqualTo(driverBefore);
        assertThat(tasks.computed()).isEqualTo(images.size() * 2L);

        var driver = com.cosmicmorphology.training.features.FeatureStore.of(
                spark, viaDriver, Backbones.create(inDriver), inDriver, "center-crop");
        Map<String, float[][]> b = driver.features(images, 2);
        assertThat(com.cosmicmorphology.training.features.FeatureStore.driverPasses() - driverBefore)
                .isEqualTo(images.size() * 2L);
        assertThat(a.keySet()).isEqualTo(b.keySet()).hasSize(images.size());
        a.forEach((sha, views) -> {
            for (int v = 0; v < 2; v++) {
                assertThat(views[v])
                        .as(sha + " view " + v)
                        .containsExactly(b.get(sha)[v], org.assertj.core.api.Assertions.within(1e-5f));
            }
        });
        // a second call finds everything in the table and computes nothing, on either path
        var again = com.cosmicmorphology.training.features.FeatureStore.of(
                spark, viaTasks, Backbones.create(onExecutors), onExecutors, "center-crop");
        again.features(images, 2);
        assertThat(again.computed()).isZero();

        // images never prepared (predict --lake scores uncurated ones) are decoded from `images` on the executors,
        // like prepare would; bytes that do not decode are left out for the caller to report, not fatal
        byte[] photo = Files.readAllBytes(SAMPLE.resolve("globular_cluster/m80.jpg"));
        byte[] broken = "not an image".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String photoSha = com.cosmicmorphology.common.image.Hashes.sha256(photo);
        String brokenSha = com.cosmicmorphology.common.image.Hashes.sha256(broken);
        java.sql.Timestamp at = java.sql.Timestamp.from(java.time.Instant.now());
        spark.createDataFrame(
                        List.of(
                                RowFactory.create(
                                        "folder:globular_cluster/m80.jpg",
                                        "folder",
                                        "globular_cluster",
                                        "folder",
                                        photo,
                                        photoSha,
                                        "jpeg",
                                        0,
                                        0,
                                        (long) photo.length,
                                        "m80.jpg",
                                        at),
                                RowFactory.create(
                                        "folder:x/broken.jpg",
                                        "folder",
                                        "x",
                                        "folder",
                                        broken,
                                        brokenSha,
                                        "jpeg",
                                        0,
                                        0,
                                        (long) broken.length,
                                        "broken.jpg",
                                        at)),
                        LakeTable.IMAGES.schema())
                .write()
                .format("delta")
                .save(viaTasks.location(LakeTable.IMAGES));
        var unprepared = List.of(
                new com.cosmicmorphology.training.data.LabelledImage(
                        "folder:globular_cluster/m80.jpg", null, null, null, photoSha, null),
                new com.cosmicmorphology.training.data.LabelledImage(
                        "folder:x/broken.jpg", null, null, null, brokenSha, null));
        Map<String, float[][]> got = com.cosmicmorphology.training.features.FeatureStore.of(
                        spark, viaTasks, Backbones.create(onExecutors), onExecutors, "center-crop")
                .partial()
                .features(unprepared, 2);
        assertThat(got).containsOnlyKeys(photoSha);
        byte[] px =
                InputResizer.toHwcRgb(ImageIO.read(new ByteArrayInputStream(photo)), SIZE, ResizePolicy.CENTER_CROP);
        float[] inDriverToo = Backbones.create(inDriver)
                .features(com.cosmicmorphology.training.data.Batches.nhwc(List.of(px), SIZE))
                .toFloatVector();
        assertThat(got.get(photoSha)[0]).containsExactly(inDriverToo, org.assertj.core.api.Assertions.within(1e-5f));
        assertThat(com.cosmicmorphology.training.features.FeatureStore.driverPasses())
                .isEqualTo(driverBefore + images.size() * 2L);
        // the executors decode under the run's decode.* limits, not the defaults: a photograph declaring more
        // pixels than allowed is refused there (views 2-3 are not cached yet, so they must be decoded)
        assertThat(com.cosmicmorphology.training.features.FeatureStore.of(
                                spark, viaTasks, Backbones.create(onExecutors), onExecutors, "center-crop")
                        .decodeLimits(new com.cosmicmorphology.common.image.DecodeLimits(50, 100))
                        .partial()
                        .features(unprepared.subList(0, 1), 4))
                .isEmpty();
        // without partial(), a missing image is one clear error naming it and what to run
        assertThatThrownBy(() -> com.cosmicmorphology.training.features.FeatureStore.of(
                                spark, viaTasks, Backbones.create(onExecutors), onExecutors, "center-crop")
                        .features(unprepared.subList(1, 2), 2))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("folder:x/broken.jpg")
                .hasMessageContaining("prepare");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> evaluation(Path modelDir, String split) {
        try {
            Map<String, Object> m = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readValue(modelDir.resolve("metadata.json").toFile(), Map.class);
            return (Map<String, Object>) ((Map<String, Object>) m.get("evaluations")).get(split);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void tuneWritesTrialsAndTrainUsesTheBestOne() {
        var r = new com.cosmicmorphology.training.selection.TuneJob(JobContext.of(spark, lake, config)).run(3, 7);
        var rows = spark.read()
                .format("delta")
                .load(lake.location(LakeTable.TRIALS))
                .where("search_id = '" + r.searchId() + "'");
        assertThat(rows.count()).isEqualTo(3 * 2); // accuracy and macro_f1 per trial
        assertThat(rows.where("metric = 'macro_f1' AND mean > 0 AND spread >= 0 AND folds = 5 AND images = 33")
                        .count())
                .isEqualTo(3);
        Map<String, String> best = com.cosmicmorphology.training.selection.TuneJob.bestOfLatest(spark, lake);
        assertThat(best)
                .isEqualTo(r.bestConfig())
                .containsKeys("training.head", "training.l2", "training.learning-rate");
        Map<String, String> tuned = new HashMap<>(best);
        TrainJob.Result t =
                new TrainJob(JobContext.of(spark, lake, config(lake.root(), tuned))).run(tmp.resolve("model-tuned"));
        assertThat(t.cv().candidates()).hasSize(1);
        assertThat(t.cv().best().spec()).isEqualTo(r.outcome().best().spec());
    }

    @Test
    void aSecondTrainingHitsTheFeatureCache() {
        TrainJob.Result again = new TrainJob(JobContext.of(spark, lake, config)).run(tmp.resolve("model2"));
        assertThat(again.featuresComputed()).isZero();
        assertThat(again.validation().accuracy()).isEqualTo(trained.validation().accuracy()); // same seed, same data
    }

    @Test
    void theHeadTrainsOnTheSparkExecutorsIntoTheSameKindOfModel() throws Exception {
        Path dir = tmp.resolve("model-spark");
        CosmicConfig spread = config(lake.root(), Map.of("training.distributed.engine", "spark"));
        TrainJob.Result r = new TrainJob(JobContext.of(spark, lake, spread)).run(dir);
        assertThat(r.featuresComputed()).isZero(); // the same feature cache
        assertThat(dir.resolve("metadata.json"))
                .content()
                .contains("\"engine\" : \"spark\"")
                .contains("\"training_master\" : \"parameter-averaging\"")
                .contains("\"workers\" : 2");
        EvaluateJob.Result e = new EvaluateJob(JobContext.of(spark, lake, spread)).run(dir, "test");
        assertThat(e.report().accuracy()).isGreaterThan(1.0 / 3);
        // deterministic: the same seed and data give the same validation metrics
        assertThat(new TrainJob(JobContext.of(spark, lake, spread))
                        .run(tmp.resolve("model-spark2"))
                        .validation()
                        .macroF1())
                .isEqualTo(r.validation().macroF1());
    }

    @Test
    void predictReadsBackWhatTrainWrote() throws Exception {
        Path folder = tmp.resolve("new-images");
        Files.createDirectories(folder.resolve("a"));
        try (Stream<Path> s = Files.list(SAMPLE.resolve("globular_cluster"))) {
            for (Path f : s.sorted().skip(20).limit(2).toList()) {
                Files.copy(f, folder.resolve("a").resolve(f.getFileName()));
            }
        }
        Files.writeString(folder.resolve("notes.txt"), "not an image");
        Path csv = tmp.resolve("out/predictions.csv");
        PredictJob.Result r = new PredictJob(JobContext.of(spark, lake, config)).fromFolder(modelDir, folder, csv);
        assertThat(r.scored()).isEqualTo(2);
        assertThat(r.failed()).containsOnlyKeys("notes.txt");
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("image_id,predicted_label,confidence,error");
        assertThat(lines).hasSize(4); // two predictions, and the text file's error row
        assertThat(lines.get(1)).startsWith("a/").matches(".*,(galaxy|globular_cluster|planetary_nebula),[01]\\.\\d+,");
        assertThat(lines.get(3)).startsWith("notes.txt,,,not a decodable image");
        assertThat(spark.read()
                        .format("delta")
                        .load(lake.location(LakeTable.PREDICTIONS))
                        .where("model_id = '" + trained.modelId() + "'")
                        .count())
                .isEqualTo(2);
    }

    @Test
    void aModelFromAnotherClassListIsRefused() throws Exception {
        LakeLayout other = new LakeLayout(tmp.resolve("other").toString());
        writeLake(spark, other, new String[] {"galaxy", "open_cluster"}, true);
        assertThatThrownBy(() -> new EvaluateJob(JobContext.of(spark, other, config(other.root(), Map.of())))
                        .run(modelDir, "test"))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("open_cluster")
                .hasMessageContaining("does not know");
    }

    @Test
    void aModelFromAnotherBackboneIsRefused() throws Exception {
        Path copy = tmp.resolve("tampered");
        Files.createDirectories(copy);
        Files.copy(modelDir.resolve("head.zip"), copy.resolve("head.zip"));
        Files.writeString(
                copy.resolve("metadata.json"),
                Files.readString(modelDir.resolve("metadata.json"))
                        .replaceAll("\"sha256\" : \"[0-9a-f]+\"", "\"sha256\" : \"" + "0".repeat(64) + "\""));
        assertThatThrownBy(() -> new EvaluateJob(JobContext.of(spark, lake, config)).run(copy, "test"))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("was trained on backbone");
    }

    @Test
    void missingZooWeightsNameTheFileToPlace() {
        CosmicConfig c = config(
                lake.root(),
                Map.of(
                        "training.backbone",
                        "resnet50",
                        "training.weights-dir",
                        tmp.resolve("no-weights").toString()));
        assertThatThrownBy(() -> Backbones.create(c.training()))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("resnet50_dl4j_inference.v3.zip")
                .hasMessageContaining(
                        tmp.resolve("no-weights").resolve("models/resnet50").toString())
                .hasMessageContaining("training.allow-random-weights");
    }

    @Test
    void fineTuningTrainsTheLastBlockAndPredictsWithIt() throws Exception {
        CosmicConfig c = config(
                lake.root(),
                Map.of(
                        "training.mode",
                        "fine-tune",
                        "training.epochs",
                        "2",
                        "training.batch-size",
                        "12",
                        "training.feature-views",
                        "1"));
        Path dir = tmp.resolve("fine-tuned");
        TrainJob.Result r = new TrainJob(JobContext.of(spark, lake, c)).run(dir);
        assertThat(dir.resolve("network.zip")).isRegularFile();
        assertThat(dir.resolve("metadata.json"))
                .content()
                .contains("\"mode\" : \"fine-tune\"")
                .contains("\"unfreeze_from\" : \"block_10_expand\"");
        assertThat(r.featuresComputed()).isZero(); // fine-tuning reads pixels, not the frozen feature cache
        // the last block trained, the layers below it kept the pretrained weights
        var loaded = com.cosmicmorphology.training.model.ModelStore.load(dir);
        var pretrained = Backbones.create(c.training());
        assertThat(loaded.graph().getLayer("block_10_expand").params())
                .isNotEqualTo(pretrained.graph().getLayer("block_10_expand").params());
        assertThat(loaded.graph().getLayer("block_9_project").params())
                .isEqualTo(pretrained.graph().getLayer("block_9_project").params());
        // and it predicts: evaluate scores every test image with the saved network
        EvaluateJob.Result e = new EvaluateJob(JobContext.of(spark, lake, c)).run(dir, "test");
        assertThat(e.images()).isEqualTo(9);
        assertThat(java.util.Arrays.stream(e.report().confusion())
                        .flatMapToLong(java.util.Arrays::stream)
                        .sum())
                .isEqualTo(9);
    }

    @Test
    void anUnknownUnfreezeLayerListsValidNames() {
        CosmicConfig c =
                config(lake.root(), Map.of("training.mode", "fine-tune", "training.unfreeze-from", "block_99"));
        assertThatThrownBy(() -> new TrainJob(JobContext.of(spark, lake, c)).run(tmp.resolve("m4")))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("'block_99' is not a layer")
                .hasMessageContaining("block_10_expand");
    }

    @Test
    void resNet50GivesFeaturesBelow96Pixels() {
        CosmicConfig c = config(
                lake.root(),
                Map.of(
                        "training.backbone",
                        "resnet50",
                        "training.input-size",
                        "64",
                        "training.allow-random-weights",
                        "true",
                        "training.weights-dir",
                        tmp.resolve("no-weights").toString()));
        var backbone = Backbones.create(c.training());
        assertThat(backbone.id()).isEqualTo("resnet50v1_random_64");
        var f = backbone.features(
                org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 64, 64, 3));
        assertThat(f.shape()).containsExactly(2, 2048);
        assertThat(Double.isFinite(f.sumNumber().doubleValue())).isTrue();
    }

    @Test
    void aResNet50ModelIsScoredWithTheVariantItWasTrainedWith() throws Exception {
        Map<String, String> resnet = Map.of(
                "training.backbone",
                "resnet50",
                "training.resnet-variant",
                "v1.5",
                "training.allow-random-weights",
                "true",
                "training.weights-dir",
                tmp.resolve("no-weights").toString(),
                "training.feature-views",
                "1",
                "training.epochs",
                "3",
                "training.patience",
                "3");
        Path dir = tmp.resolve("resnet50-model");
        new TrainJob(JobContext.of(spark, lake, config(lake.root(), resnet))).run(dir);
        assertThat(dir.resolve("metadata.json"))
                .content()
                .contains("\"variant\" : \"v1.5\"")
                .contains("resnet50v1_5_random_96");
        // evaluated under a configuration that says v1 (the default): the model's metadata decides
        Map<String, String> v1 = new HashMap<>(resnet);
        v1.put("training.resnet-variant", "v1");
        EvaluateJob.Result e = new EvaluateJob(JobContext.of(spark, lake, config(lake.root(), v1))).run(dir, "test");
        EvaluateJob.Result asTrained =
                new EvaluateJob(JobContext.of(spark, lake, config(lake.root(), resnet))).run(dir, "test");
        // v1 and v1.5 have the same parameter shapes, so scoring with the wrong one would run and give other
        // probabilities: equal reports mean the variant came from the metadata
        assertThat(e.report().predicted()).containsExactly(asTrained.report().predicted());
        assertThat(e.report().macroAuc()).isEqualTo(asTrained.report().macroAuc());
    }

    /** The backbones built from their papers, with random weights only: each end to end at a tiny size. */
    @ParameterizedTest
    @CsvSource({
        "efficientnet-b0, block7a_expand_conv, efficientnet_b0_random_s, 16, at least 32",
        "vit-tiny, blocks_11, vit_tiny_16_random_s, 40, multiple of 16"
    })
    void aBackboneFromItsPaperTrainsFrozenAndFineTunedAndPredictsEndToEnd(
            String backbone, String top, String idStem, int badSize, String badSizeMessage) throws Exception {
        Map<String, String> random = Map.of(
                "training.backbone",
                backbone,
                "training.allow-random-weights",
                "true",
                "training.feature-views",
                "1",
                "training.epochs",
                "3",
                "training.patience",
                "3");
        // no pretrained weights exist for them here: random weights only when asked for, in one line
        assertThatThrownBy(() -> Backbones.create(config(lake.root(), Map.of("training.backbone", backbone))
                        .training()))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("training.allow-random-weights=true");
        Map<String, String> bad = new HashMap<>(random);
        bad.put("training.input-size", Integer.toString(badSize));
        assertThatThrownBy(() -> Backbones.create(config(lake.root(), bad).training()))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("training.input-size")
                .hasMessageContaining(badSizeMessage)
                .hasMessageContaining("got " + badSize);

        Path frozen = tmp.resolve(backbone + "-frozen");
        new TrainJob(JobContext.of(spark, lake, config(lake.root(), random))).run(frozen);
        assertThat(frozen.resolve("metadata.json"))
                .content()
                .contains("\"type\" : \"" + backbone + "\"")
                .contains(idStem);
        EvaluateJob.Result e =
                new EvaluateJob(JobContext.of(spark, lake, config(lake.root(), random))).run(frozen, "test");
        assertThat(e.images()).isEqualTo(9); // every test image scored
        Path folder = tmp.resolve(backbone + "-images");
        Files.createDirectories(folder);
        try (Stream<Path> s = Files.list(SAMPLE.resolve("galaxy"))) {
            for (Path f : s.sorted().limit(2).toList()) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        PredictJob.Result p = new PredictJob(JobContext.of(spark, lake, config(lake.root(), random)))
                .fromFolder(frozen, folder, tmp.resolve(backbone + ".csv"));
        assertThat(p.scored()).isEqualTo(2);

        // fine-tuning trains the top block through the project's SameDiff parts (squeeze-and-excitation, the
        // transformer layers), saves them and loads them back (the model check allows exactly these classes)
        Map<String, String> tune = new HashMap<>(random);
        tune.put("training.mode", "fine-tune");
        tune.put("training.unfreeze-from", top);
        tune.put("training.epochs", "1");
        Path tuned = tmp.resolve(backbone + "-fine-tuned");
        new TrainJob(JobContext.of(spark, lake, config(lake.root(), tune))).run(tuned);
        EvaluateJob.Result t =
                new EvaluateJob(JobContext.of(spark, lake, config(lake.root(), tune))).run(tuned, "test");
        assertThat(t.images()).isEqualTo(9);
    }

    @Test
    void anEmptyValidationSplitIsOneClearError() throws Exception {
        LakeLayout noVal = new LakeLayout(tmp.resolve("noval").toString());
        writeLake(spark, noVal, CLASSES, false);
        assertThatThrownBy(() -> new TrainJob(JobContext.of(spark, noVal, config(noVal.root(), Map.of())))
                        .run(tmp.resolve("m3")))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("the val split is empty");
    }
}

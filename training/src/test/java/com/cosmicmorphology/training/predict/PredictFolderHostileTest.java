package com.cosmicmorphology.training.predict;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.model.ModelStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@code predict --images} over a folder of hostile files: each bad file is one error row, the good images are
 * still predicted, and the CSV reads back under RFC 4180 with nothing a spreadsheet would run. The model is an
 * untrained head on the bundled backbone at 32 px: what is tested is the handling of files, not accuracy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictFolderHostileTest {
    static final Path PHOTO = Path.of("../data/sample/stellarium/globular_cluster/m70.jpg")
            .toAbsolutePath()
            .normalize();
    static final long MAX_BYTES = 100_000;
    /** Class names are the model's, but a hostile metadata could hold any: these must not run as formulas either. */
    static final List<String> CLASSES = List.of("=HYPERLINK(\"http://x\")", "b,c", "plain");

    @TempDir
    static Path tmp;

    private final SparkSession spark = SharedSpark.get();
    private final List<Path> locked = new ArrayList<>();
    private CosmicConfig config;
    private LakeLayout lake;
    private Path modelDir;

    @BeforeAll
    void aTinyModel() {
        lake = new LakeLayout(tmp.resolve("lake").toString());
        config = SharedSpark.config(
                lake.root(),
                Map.of(
                        "training.input-size",
                        "32",
                        "training.feature-views",
                        "1",
                        "training.keras-model",
                        Path.of("../models/mobilenet_v2_imagenet_block10_features.h5")
                                .toString(),
                        "inputs.policy",
                        "center-crop",
                        "training.batch-size",
                        "2",
                        "ingest.max-image-bytes",
                        Long.toString(MAX_BYTES)));
        Backbone backbone = Backbones.create(config.training());
        int features = (int)
                backbone.features(Nd4j.zeros(DataType.FLOAT, 1, 32, 32, 3)).columns();
        MultiLayerNetwork head = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1)
                .list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(features)
                        .nOut(CLASSES.size())
                        .activation(Activation.SOFTMAX)
                        .build())
                .build());
        head.init();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model_id", "tiny-32");
        meta.put("classes", CLASSES);
        meta.put("backbone", backbone.describe());
        meta.put("backbone_id", backbone.id());
        meta.put("input_size", 32);
        meta.put("resize_policy", "center-crop");
        meta.put("mode", "frozen");
        meta.put("feature_views", 1);
        meta.put(
                "standardiser_mean",
                IntStream.range(0, features).mapToObj(i -> 0.0).toList());
        meta.put(
                "standardiser_std",
                IntStream.range(0, features).mapToObj(i -> 1.0).toList());
        modelDir = tmp.resolve("model");
        ModelStore.save(modelDir, head, meta);
    }

    @AfterAll
    void unlock() throws IOException {
        for (Path p : locked) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static void photo(Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(PHOTO, to);
    }

    /** The CSV's records as id -> [label, confidence, error], checking the header. */
    private static Map<String, List<String>> rows(Path csv) throws IOException {
        List<List<String>> records = Rfc4180.parse(Files.readString(csv, StandardCharsets.UTF_8));
        assertThat(records.get(0)).containsExactly("image_id", "predicted_label", "confidence", "error");
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (List<String> r : records.subList(1, records.size())) {
            assertThat(r).hasSize(4);
            assertThat(out.put(r.get(0), r.subList(1, 4)))
                    .as("one row per image: " + r.get(0))
                    .isNull();
        }
        return out;
    }

    /** What a spreadsheet shows for a cell written by CsvCells: the value, without the guard quote. */
    private static String shown(String cell) {
        return cell.startsWith("'") ? cell.substring(1) : cell;
    }

    @Test
    void eachHostileFileIsOneErrorRowAndTheGoodImagesAreStillPredicted() throws Exception {
        Path root = tmp.resolve("images");
        photo(root.resolve("a/good.jpg"));
        photo(root.resolve("b/also good.jpg"));
        photo(tmp.resolve("outside/secret.jpg"));
        Files.createSymbolicLink(root.resolve("escape.jpg"), tmp.resolve("outside/secret.jpg"));
        Files.createSymbolicLink(root.resolve("b/escape-dir"), tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("inside-link.jpg"), root.resolve("a/good.jpg"));
        Files.createSymbolicLink(root.resolve("dangling.jpg"), tmp.resolve("nowhere.jpg"));
        byte[] big = new byte[(int) MAX_BYTES + 1];
        System.arraycopy(
                Files.readAllBytes(PHOTO), 0, big, 0, (int) Files.size(PHOTO)); // a JPEG, padded past the limit
        Files.write(root.resolve("big.jpg"), big);
        Files.writeString(root.resolve("notes.txt"), "not an image");
        Files.write(root.resolve("empty.jpg"), new byte[0]);
        photo(root.resolve("comma,name.jpg"));
        photo(root.resolve("new\nline.jpg"));
        photo(root.resolve("=cmd|' \"x\".jpg"));
        Files.writeString(root.resolve("+sum.txt"), "not an image either");
        Path lockedFile = root.resolve("locked.jpg");
        photo(lockedFile);
        Files.setPosixFilePermissions(lockedFile, PosixFilePermissions.fromString("---------"));
        locked.add(lockedFile);
        boolean fifo = new ProcessBuilder("mkfifo", root.resolve("pipe.jpg").toString())
                        .start()
                        .waitFor()
                == 0;

        Path csv = tmp.resolve("out/predictions.csv");
        PredictJob.Result r = new PredictJob(JobContext.of(spark, lake, config)).fromFolder(modelDir, root, csv);

        Map<String, List<String>> rows = rows(csv);
        List<String> good = List.of(
                "a/good.jpg",
                "b/also good.jpg",
                "inside-link.jpg",
                "comma,name.jpg",
                "new\nline.jpg",
                "=cmd|' \"x\".jpg");
        for (String id : good) {
            String cellId = id.startsWith("=") ? "'" + id : id;
            assertThat(rows).as(id).containsKey(cellId);
            List<String> row = rows.get(cellId);
            assertThat(shown(row.get(0))).as(id).isIn(CLASSES);
            assertThat(row.get(0)).as("no cell starts a formula").doesNotStartWith("=");
            // the confidence is the top class's probability: at least 1/k, at most 1
            assertThat(Double.parseDouble(row.get(1))).isBetween(1.0 / CLASSES.size(), 1.0);
            assertThat(row.get(2)).as(id).isEmpty();
        }
        Map<String, String> errors = new LinkedHashMap<>();
        rows.forEach((id, row) -> {
            if (!row.get(2).isEmpty()) {
                assertThat(row.get(0)).as(id).isEmpty();
                assertThat(row.get(1)).as(id).isEmpty();
                errors.put(id, row.get(2));
            }
        });
        assertThat(errors.get("escape.jpg")).contains("link leads outside").contains("not followed");
        assertThat(errors.get("b/escape-dir")).contains("link leads outside");
        assertThat(errors.get("dangling.jpg")).contains("broken link");
        assertThat(errors.get("big.jpg")).contains("too large").contains("ingest.max-image-bytes=" + MAX_BYTES);
        assertThat(errors.get("notes.txt")).contains("not a decodable image");
        assertThat(errors.get("empty.jpg")).contains("not a decodable image");
        assertThat(errors.get("'+sum.txt")).contains("not a decodable image");
        if (fifo) {
            assertThat(errors.get("pipe.jpg")).contains("not a regular file");
        }
        boolean root0 = Files.isReadable(lockedFile); // root reads anything: the permission cannot be tested then
        if (!root0) {
            assertThat(errors.get("locked.jpg")).contains("unreadable").contains("AccessDenied");
        }
        assertThat(r.scored()).isEqualTo(good.size() + (root0 ? 1 : 0));
        assertThat(r.failed()).hasSize(errors.size()).containsKeys("escape.jpg", "big.jpg", "notes.txt", "+sum.txt");
        assertThat(rows).hasSize(r.scored() + r.failed().size());
        // nothing outside the folder was read, under any name
        assertThat(rows.keySet()).noneMatch(id -> id.contains("secret"));
        // what was scored is in the table too, under the real ids
        assertThat(spark
                        .read()
                        .format("delta")
                        .load(lake.location(LakeTable.PREDICTIONS))
                        .where("model_id = 'tiny-32'")
                        .collectAsList()
                        .stream()
                        .map(row -> row.getString(0))
                        .collect(Collectors.toSet()))
                .containsAll(good)
                .doesNotContain("escape.jpg", "big.jpg");
    }

    @Test
    void aFileThatCannotBeReadIsOneErrorRowEvenForRoot() throws Exception {
        // a read failure simulated below the permission check, so it is tested whoever runs the build
        Path root = tmp.resolve("unreadable");
        photo(root.resolve("ok.jpg"));
        photo(root.resolve("bad-disk.jpg"));
        ImageFolder folder = ImageFolder.open(root, MAX_BYTES, f -> {
            if (f.getFileName().toString().equals("bad-disk.jpg")) {
                throw new AccessDeniedException(f.toString(), null, "simulated");
            }
            return Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS);
        });
        Path csv = tmp.resolve("unreadable.csv");
        PredictJob.Result r = new PredictJob(JobContext.of(spark, lake, config)).fromFolder(modelDir, folder, csv);
        assertThat(r.scored()).isEqualTo(1);
        assertThat(r.failed()).containsOnlyKeys("bad-disk.jpg");
        assertThat(rows(csv).get("bad-disk.jpg").get(2)).contains("unreadable").contains("AccessDeniedException");
    }

    @Test
    void imagesAreDecodedAndScoredInBatchesNotAllAtOnce() throws Exception {
        Path root = tmp.resolve("many");
        for (int i = 0; i < 7; i++) {
            photo(root.resolve("img" + i + ".jpg"));
        }
        Files.writeString(root.resolve("img3-notes.txt"), "not an image");
        List<Integer> batches = new ArrayList<>();
        PredictJob.Result r = new PredictJob(JobContext.of(spark, lake, config))
                .fromFolder(
                        modelDir,
                        ImageFolder.open(root, MAX_BYTES),
                        tmp.resolve("many.csv"),
                        b -> batches.add(b.size()));
        assertThat(r.scored()).isEqualTo(7);
        assertThat(batches).containsExactly(2, 2, 2, 1); // training.batch-size=2
        // the CSV keeps the folder's order, error rows in place
        assertThat(rows(tmp.resolve("many.csv")).keySet())
                .containsExactly(
                        "img0.jpg",
                        "img1.jpg",
                        "img2.jpg",
                        "img3-notes.txt",
                        "img3.jpg",
                        "img4.jpg",
                        "img5.jpg",
                        "img6.jpg");
    }

    @Test
    void aBatchThatFailsAsAWholeIsScoredImageByImage() throws Exception {
        Path root = tmp.resolve("retry");
        for (int i = 0; i < 3; i++) {
            photo(root.resolve("img" + i + ".jpg"));
        }
        PredictJob.Result r = new PredictJob(JobContext.of(spark, lake, config))
                .fromFolder(modelDir, ImageFolder.open(root, MAX_BYTES), tmp.resolve("retry.csv"), b -> {
                    if (b.size() > 1) {
                        throw new IllegalStateException("simulated: the batch does not fit");
                    }
                });
        assertThat(r.scored()).isEqualTo(3);
        assertThat(r.failed()).isEmpty();
    }

    @Test
    void aRunThatFailsLeavesThePreviousCsvWhole() throws Exception {
        Path root = tmp.resolve("interrupted");
        photo(root.resolve("img0.jpg"));
        Path csv = tmp.resolve("kept.csv");
        Files.writeString(csv, "the previous run's CSV\r\n");
        try {
            new PredictJob(JobContext.of(spark, lake, config))
                    .fromFolder(modelDir, ImageFolder.open(root, MAX_BYTES), csv, b -> {
                        throw new OutOfMemoryError("simulated");
                    });
        } catch (OutOfMemoryError expected) {
            // the run died
        }
        assertThat(csv).hasContent("the previous run's CSV\r\n");
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .contains("kept.csv")
                    .noneMatch(n -> n.endsWith(".partial"));
        }
    }
}

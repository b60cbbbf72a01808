package com.cosmicmorphology.ingest.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.lake.QuarantineRow;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.common.testing.TempLake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class FolderIngestJobTest {
    static final Path SAMPLE =
            Path.of("../data/sample/stellarium").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @RegisterExtension
    final TempLake temp = TempLake.withSettings();

    private final SparkSession spark = SharedSpark.get();

    /** Two classes of real photographs plus every kind of bad file. */
    private Path buildFolder() throws Exception {
        Path root = tmp.resolve("images");
        for (String cls : new String[] {"galaxy", "planetary_nebula"}) {
            Files.createDirectories(root.resolve(cls));
            try (var files = Files.list(SAMPLE.resolve(cls))) {
                files.sorted().limit(3).forEach(f -> copy(f, root.resolve(cls).resolve(f.getFileName())));
            }
        }
        byte[] good = Files.readAllBytes(root.resolve("galaxy")
                .resolve(Files.list(root.resolve("galaxy"))
                        .sorted()
                        .findFirst()
                        .orElseThrow()
                        .getFileName()));
        Files.write(root.resolve("galaxy/truncated.jpg"), Arrays.copyOf(good, good.length / 2));
        Files.writeString(root.resolve("galaxy/notes.txt"), "not an image");
        Files.writeString(root.resolve("README.md"), "top-level file, no class");
        Path outside = tmp.resolve("outside.jpg");
        Files.write(outside, good);
        Files.createSymbolicLink(root.resolve("galaxy/escape.jpg"), outside);
        Files.createDirectories(root.resolve("nested/deeper"));
        Files.createSymbolicLink(root.resolve("nested/deeper/up"), tmp);
        return root;
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void imagesLandWithTheirClassAndBadFilesAreQuarantinedWithAReason() throws Exception {
        Path root = buildFolder();
        Path lake = temp.root();
        LakeLayout layout = temp.layout();

        FolderIngestJob.Result r = new FolderIngestJob(temp.context()).run(root);

        assertThat(r.imagesAdded()).isEqualTo(6);
        var rows = layout.read(spark, LakeTable.IMAGES).collectAsList();
        assertThat(rows).extracting(x -> x.<String>getAs("label")).containsOnly("galaxy", "planetary_nebula");
        assertThat(rows)
                .extracting(x -> x.<String>getAs("image_id"))
                .allMatch(id -> id.startsWith("folder:galaxy/") || id.startsWith("folder:planetary_nebula/"));
        Map<String, String> q = layout.read(spark, LakeTable.QUARANTINE).collectAsList().stream()
                .collect(Collectors.toMap(x -> x.<String>getAs("record_id"), x -> x.<String>getAs("reason")));
        assertThat(q)
                .containsOnly(
                        Map.entry("folder:galaxy/truncated.jpg", "undecodable"),
                        Map.entry("folder:galaxy/notes.txt", "unsupported_format"),
                        Map.entry("folder:README.md", "outside_class_folder"),
                        Map.entry("folder:galaxy/escape.jpg", "escapes_root"),
                        Map.entry("folder:nested/deeper/up", "escapes_root"));

        // idempotent
        FolderIngestJob.Result again = new FolderIngestJob(temp.context()).run(root);
        assertThat(again.imagesAdded()).isZero();
        assertThat(again.alreadyPresent()).isEqualTo(6);
        assertThat(layout.read(spark, LakeTable.IMAGES).count()).isEqualTo(6);
        assertThat(layout.read(spark, LakeTable.QUARANTINE).count()).isEqualTo(5);
    }

    @Test
    void aSpaceNetFolderTakesTheMappedClassesAndKeepsTheOthersUnderTheirOwnNames() throws Exception {
        // SpaceNet's layout: one folder per class, its own class names (capitals and spaces included)
        Path root = tmp.resolve("spacenet");
        String[][] folders = {
            {"galaxy", "galaxy"},
            {"nebula", "emission_reflection_nebula"},
            {"Black Hole", "galaxy"},
            {"star", "open_cluster"},
            {"planet", "globular_cluster"}
        };
        for (String[] f : folders) {
            Files.createDirectories(root.resolve(f[0]));
            try (var files = Files.list(SAMPLE.resolve(f[1]))) {
                files.sorted()
                        .skip(3)
                        .limit(2)
                        .forEach(p -> copy(p, root.resolve(f[0]).resolve(p.getFileName())));
            }
        }
        new FolderIngestJob(temp.context(Map.of(
                        "ingest.folder-label-map.nebula",
                        "emission_reflection_nebula",
                        "ingest.folder-label-map.Galaxy",
                        "galaxy")))
                .run(root);

        Map<String, java.util.Set<String>> labelSources =
                temp.layout().read(spark, LakeTable.IMAGES).collectAsList().stream()
                        .collect(Collectors.groupingBy(
                                x -> x.<String>getAs("label"),
                                Collectors.mapping(x -> x.<String>getAs("label_source"), Collectors.toSet())));
        // mapped (keys match however the folder is spelled) ...
        assertThat(labelSources)
                .containsEntry("galaxy", java.util.Set.of("folder:label-map"))
                .containsEntry("emission_reflection_nebula", java.util.Set.of("folder:label-map"))
                // ... and the rest kept, spelled as labels, for clean to flag: nothing forced into a wrong class
                .containsEntry("black_hole", java.util.Set.of("folder"))
                .containsEntry("star", java.util.Set.of("folder"))
                .containsEntry("planet", java.util.Set.of("folder"))
                .hasSize(5);
        assertThat(temp.layout().read(spark, LakeTable.IMAGES).count()).isEqualTo(10);
    }

    @Test
    void dotDotInThePathIsResolvedAndIdsStayRelative() throws Exception {
        Path root = buildFolder();
        Path viaDotDot = root.resolve("galaxy").resolve("..");
        Path lake = temp.root();
        LakeLayout layout = temp.layout();
        new FolderIngestJob(temp.context()).run(viaDotDot);
        assertThat(layout.read(spark, LakeTable.IMAGES).collectAsList())
                .extracting(x -> x.<String>getAs("image_id"))
                .isNotEmpty()
                .noneMatch(id -> id.contains(".."));
    }

    @Test
    void aMissingFolderIsOneClearError() {
        assertThatThrownBy(() -> new FolderIngestJob(temp.context()).run(tmp.resolve("nope")))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("is not a directory");
    }

    @Test
    void aPixelBombIsQuarantinedAndAHugeRealImageLandsSubsampledWithinTheLaunchersHeap() throws Exception {
        Path root = tmp.resolve("bombs");
        Files.createDirectories(root.resolve("galaxy"));
        Files.write(
                root.resolve("galaxy/bomb.png"),
                com.cosmicmorphology.common.testing.PixelBombs.greyPng(40_000, 40_000));
        Files.write(
                root.resolve("galaxy/jpeg-bomb.jpg"),
                com.cosmicmorphology.common.testing.PixelBombs.jpegClaiming(65_000, 65_000));
        Files.write(
                root.resolve("galaxy/huge.png"),
                com.cosmicmorphology.common.testing.PixelBombs.greyPng(20_000, 20_000));
        try (var files = Files.list(SAMPLE.resolve("galaxy"))) {
            files.sorted().limit(2).forEach(f -> copy(f, root.resolve("galaxy").resolve(f.getFileName())));
        }
        Path lake = temp.root();
        LakeLayout layout = temp.layout();
        // as the launcher runs it: its own JVM with the launcher's 1 GB heap for ingest; an OutOfMemoryError there
        // would fail the run (exit 1), not quarantine the bomb
        Path log = tmp.resolve("ingest.log");
        Process p = com.cosmicmorphology.ingest.ChildCosmic.start(
                log,
                "-Xmx1g",
                "ingest",
                "folder",
                "--path",
                root.toString(),
                "--lake",
                lake.toString(),
                "--master",
                "local[2]");
        assertThat(p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue())
                .as(com.cosmicmorphology.ingest.ChildCosmic.tail(log))
                .isZero();
        assertThat(java.nio.file.Files.readString(log)).doesNotContain("OutOfMemoryError");
        assertThat(layout.read(spark, LakeTable.IMAGES).count()).isEqualTo(3);
        Map<String, String> q = layout.read(spark, LakeTable.QUARANTINE).collectAsList().stream()
                .collect(Collectors.toMap(x -> x.<String>getAs("record_id"), x -> x.<String>getAs("reason")));
        assertThat(q)
                .containsOnly(
                        Map.entry("folder:galaxy/bomb.png", "too_many_pixels"),
                        Map.entry("folder:galaxy/jpeg-bomb.jpg", "too_many_pixels"));
        var huge = layout.read(spark, LakeTable.IMAGES)
                .where("image_id = 'folder:galaxy/huge.png'")
                .collectAsList();
        assertThat(huge).singleElement().satisfies(x -> {
            assertThat(x.<Integer>getAs("width")).isEqualTo(20_000); // the declared size, though decoded subsampled
            assertThat(x.<Integer>getAs("height")).isEqualTo(20_000);
        });
    }

    @Test
    void aFileChangedUnderAnIngestedPathIsQuarantinedAndTheLakeKeepsTheIngestedVersion() throws Exception {
        Path root = buildFolder();
        Path lake = temp.root();
        LakeLayout layout = temp.layout();
        new FolderIngestJob(temp.context()).run(root);
        Path victim;
        try (var files = Files.list(root.resolve("planetary_nebula"))) {
            victim = files.sorted().findFirst().orElseThrow();
        }
        String id = "folder:planetary_nebula/" + victim.getFileName();
        String before = layout.read(spark, LakeTable.IMAGES)
                .where(org.apache.spark.sql.functions.col("image_id").equalTo(id))
                .first()
                .getAs("content_sha256");
        byte[] original = Files.readAllBytes(victim);
        Files.copy(
                root.resolve("galaxy")
                        .resolve(Files.list(root.resolve("galaxy"))
                                .filter(p -> p.toString().endsWith(".jpg")
                                        && !Files.isSymbolicLink(p)
                                        && !p.toString().contains("truncated"))
                                .sorted()
                                .findFirst()
                                .orElseThrow()
                                .getFileName()),
                victim,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        new FolderIngestJob(temp.context()).run(root);
        Map<String, String> q = layout.read(spark, LakeTable.QUARANTINE).collectAsList().stream()
                .collect(Collectors.toMap(x -> x.<String>getAs("record_id"), x -> x.<String>getAs("reason")));
        assertThat(q).containsEntry(id, "content_changed");
        assertThat(layout.read(spark, LakeTable.IMAGES)
                        .where(org.apache.spark.sql.functions.col("image_id").equalTo(id))
                        .first()
                        .<String>getAs("content_sha256"))
                .isEqualTo(before);

        Files.write(victim, original); // restored: the quarantine row goes
        new FolderIngestJob(temp.context()).run(root);
        assertThat(layout.read(spark, LakeTable.QUARANTINE)
                        .where(org.apache.spark.sql.functions.col("record_id").equalTo(id))
                        .count())
                .isZero();
    }

    @Test
    void aFifoIsSkippedInsteadOfBlockingTheRun() throws Exception {
        Path root = buildFolder();
        Path fifo = root.resolve("galaxy/pipe.jpg");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        Path lake = temp.root();
        LakeLayout layout = temp.layout();
        java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            FolderIngestJob.Result r = one.submit(() -> new FolderIngestJob(temp.context()).run(root))
                    .get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.imagesAdded()).isEqualTo(6);
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void anUnreadableSubFolderIsQuarantinedAndTheWalkGoesOn() throws Exception {
        Path root = buildFolder().toRealPath();
        FolderWalk.Visitor v = new FolderWalk.Visitor(root, new java.sql.Timestamp(0));
        // what walkFileTree reports for a chmod 000 folder (root reads one anyway, so the failure is handed in)
        assertThat(v.visitFileFailed(root.resolve("locked"), new java.nio.file.AccessDeniedException("locked")))
                .isEqualTo(java.nio.file.FileVisitResult.CONTINUE);
        assertThat(v.rejected).singleElement().satisfies(q -> {
            assertThat(q.recordId()).isEqualTo("folder:locked");
            assertThat(q.reason()).isEqualTo("unreadable");
        });
        if (!"root".equals(System.getProperty("user.name"))) { // and for real where permissions bite
            Path locked = root.resolve("locked");
            Files.createDirectories(locked);
            Files.write(locked.resolve("x.jpg"), new byte[] {1, 2, 3});
            Files.setPosixFilePermissions(locked, java.util.Set.of());
            try {
                FolderWalk.Result r = FolderWalk.walk(root, new java.sql.Timestamp(0));
                assertThat(r.files()).hasSize(6);
                assertThat(r.rejected()).extracting(QuarantineRow::reason).contains("unreadable");
            } finally {
                Files.setPosixFilePermissions(
                        locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
        }
    }
}

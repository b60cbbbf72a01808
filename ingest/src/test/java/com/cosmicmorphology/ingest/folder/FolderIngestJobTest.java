package com.cosmicmorphology.ingest.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderIngestJobTest {
  static final Path SAMPLE = Path.of("../data/sample/stellarium").toAbsolutePath().normalize();

  @TempDir Path tmp;
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
    byte[] good = Files.readAllBytes(root.resolve("galaxy").resolve(
        Files.list(root.resolve("galaxy")).sorted().findFirst().orElseThrow().getFileName()));
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
    Path lake = tmp.resolve("lake");
    CosmicConfig c = SharedSpark.config(lake.toString(), Map.of());
    LakeLayout layout = new LakeLayout(lake.toString());

    FolderIngestJob.Result r = new FolderIngestJob(spark, layout, c).run(root);

    assertThat(r.imagesAdded()).isEqualTo(6);
    var rows = layout.read(spark, LakeTable.IMAGES).collectAsList();
    assertThat(rows).extracting(x -> x.<String>getAs("label")).containsOnly("galaxy", "planetary_nebula");
    assertThat(rows).extracting(x -> x.<String>getAs("image_id")).allMatch(id -> id.startsWith("folder:galaxy/")
        || id.startsWith("folder:planetary_nebula/"));
    Map<String, String> q = layout.read(spark, LakeTable.QUARANTINE).collectAsList().stream()
        .collect(Collectors.toMap(x -> x.<String>getAs("record_id"), x -> x.<String>getAs("reason")));
    assertThat(q).containsOnly(
        Map.entry("folder:galaxy/truncated.jpg", "undecodable"),
        Map.entry("folder:galaxy/notes.txt", "unsupported_format"),
        Map.entry("folder:README.md", "outside_class_folder"),
        Map.entry("folder:galaxy/escape.jpg", "escapes_root"),
        Map.entry("folder:nested/deeper/up", "escapes_root"));

    // idempotent
    FolderIngestJob.Result again = new FolderIngestJob(spark, layout, c).run(root);
    assertThat(again.imagesAdded()).isZero();
    assertThat(again.alreadyPresent()).isEqualTo(6);
    assertThat(layout.read(spark, LakeTable.IMAGES).count()).isEqualTo(6);
    assertThat(layout.read(spark, LakeTable.QUARANTINE).count()).isEqualTo(5);
  }

  @Test
  void dotDotInThePathIsResolvedAndIdsStayRelative() throws Exception {
    Path root = buildFolder();
    Path viaDotDot = root.resolve("galaxy").resolve("..");
    Path lake = tmp.resolve("lake");
    LakeLayout layout = new LakeLayout(lake.toString());
    new FolderIngestJob(spark, layout, SharedSpark.config(lake.toString(), Map.of())).run(viaDotDot);
    assertThat(layout.read(spark, LakeTable.IMAGES).collectAsList())
        .extracting(x -> x.<String>getAs("image_id")).noneMatch(id -> id.contains(".."));
  }

  @Test
  void aMissingFolderIsOneClearError() {
    Path lake = tmp.resolve("lake");
    assertThatThrownBy(() -> new FolderIngestJob(spark, new LakeLayout(lake.toString()),
        SharedSpark.config(lake.toString(), Map.of())).run(tmp.resolve("nope")))
        .isInstanceOf(CosmicException.class).hasMessageContaining("is not a directory");
  }
}

package com.cosmicmorphology.training.predict;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.config.ResizePolicy;
import com.cosmicmorphology.common.image.InputResizer;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.eval.Scorer;
import com.cosmicmorphology.training.model.ModelStore;
import io.delta.tables.DeltaTable;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./cosmic predict}: scores the lake's {@code images} or a folder (recursively; image_id = path
 * relative to it) with a saved model into {@code predictions} (MERGE by image and model) and, if asked, a
 * CSV of image_id, predicted_label, confidence. Images that do not decode are reported and skipped.
 */
public final class PredictJob {
  private static final Logger LOG = LoggerFactory.getLogger(PredictJob.class);
  public static final StructType SCHEMA = new StructType()
      .add("image_id", DataTypes.StringType, false)
      .add("model_id", DataTypes.StringType, false)
      .add("predicted_label", DataTypes.StringType, false)
      .add("confidence", DataTypes.DoubleType, false)
      .add("probabilities", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), false)
      .add("predicted_at", DataTypes.TimestampType, false);

  /** Counts, and the images that could not be scored with why. */
  public record Result(String modelId, int scored, Map<String, String> failed) {}

  private final SparkSession spark;
  private final LakeLayout lake;
  private final CosmicConfig config;

  public PredictJob(SparkSession spark, LakeLayout lake, CosmicConfig config) {
    this.spark = spark;
    this.lake = lake;
    this.config = config;
  }

  public Result fromLake(Path modelDir, Path csv) {
    Scorer scorer = new Scorer(ModelStore.load(modelDir), config);
    if (!scorer.needsPixels(spark)) {
      // on a cluster only the ids and hashes come to the driver; the executors decode and score
      List<LabelledImage> byHash = lake.read(spark, LakeTable.IMAGES).select("image_id", "content_sha256")
          .orderBy("image_id").collectAsList().stream()
          .map(r -> new LabelledImage(r.getString(0), null, null, null, r.getString(1), null)).toList();
      Scorer.Scored remote = scorer.scoreOnExecutors(spark, lake, byHash);
      return write(scorer, remote.imageIds(), remote.probabilities(), new LinkedHashMap<>(remote.failed()), csv);
    }
    Map<String, String> failed = new LinkedHashMap<>();
    List<LabelledImage> images = new ArrayList<>();
    for (Row r : lake.read(spark, LakeTable.IMAGES).select("image_id", "content_sha256", "content")
        .orderBy("image_id").collectAsList()) {
      byte[] px = pixels((byte[]) r.get(2), scorer, r.getString(0), failed);
      if (px != null) {
        images.add(new LabelledImage(r.getString(0), null, null, null, r.getString(1), px));
      }
    }
    double[][] probs = scorer.score(spark, lake, images);
    return write(scorer, images.stream().map(LabelledImage::imageId).toList(), probs, failed, csv);
  }

  public Result fromFolder(Path modelDir, Path dir, Path csv) {
    if (!Files.isDirectory(dir)) {
      throw new CosmicException(ExitCode.USAGE, "--images " + dir + " is not a folder");
    }
    Scorer scorer = new Scorer(ModelStore.load(modelDir), config);
    Map<String, String> failed = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    List<byte[]> pixels = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        String id = dir.relativize(p).toString().replace('\\', '/');
        byte[] px = pixels(Files.readAllBytes(p), scorer, id, failed);
        if (px != null) {
          ids.add(id);
          pixels.add(px);
        }
      }
    } catch (IOException e) {
      throw new CosmicException(ExitCode.USAGE, "cannot read " + dir + ": " + e.getMessage());
    }
    return write(scorer, ids, scorer.scoreUncached(pixels), failed, csv);
  }

  private static byte[] pixels(byte[] encoded, Scorer scorer, String id, Map<String, String> failed) {
    try {
      BufferedImage img = encoded == null ? null : com.cosmicmorphology.common.image.Images.decode(encoded);
      if (img == null) {
        failed.put(id, "not a decodable image");
        return null;
      }
      return InputResizer.toHwcRgb(img, scorer.inputSize(), ResizePolicy.parse(scorer.resizePolicy()));
    } catch (IOException | RuntimeException e) {
      failed.put(id, e.getClass().getSimpleName() + ": " + e.getMessage());
      return null;
    }
  }

  private Result write(Scorer scorer, List<String> ids, double[][] probs, Map<String, String> failed, Path csv) {
    List<String> classes = scorer.model().classes();
    String modelId = scorer.model().modelId();
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      int best = 0;
      Map<String, Double> m = new LinkedHashMap<>();
      for (int c = 0; c < classes.size(); c++) {
        m.put(classes.get(c), probs[i][c]);
        if (probs[i][c] > probs[i][best]) {
          best = c;
        }
      }
      rows.add(RowFactory.create(ids.get(i), modelId, classes.get(best), probs[i][best],
          scala.collection.JavaConverters.mapAsScalaMap(m), now));
    }
    failed.forEach((id, why) -> LOG.warn("not scored: {}: {}", id, why));
    String path = lake.location(LakeTable.PREDICTIONS);
    lake.checkWritable(spark);
    if (!DeltaTable.isDeltaTable(spark, path)) {
      DeltaTable.createIfNotExists(spark).location(path).addColumns(SCHEMA).execute();
    }
    if (!rows.isEmpty()) {
      DeltaTable.forPath(spark, path).as("t")
          .merge(spark.createDataFrame(rows, SCHEMA).as("s"), "t.image_id = s.image_id AND t.model_id = s.model_id")
          .whenMatched().updateAll().whenNotMatched().insertAll().execute();
    }
    if (csv != null) {
      try {
        if (csv.getParent() != null) {
          Files.createDirectories(csv.getParent());
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
          w.println("image_id,predicted_label,confidence");
          for (Row r : rows) {
            w.printf("%s,%s,%.6f%n", csvField(r.getString(0)), r.getString(2), r.getDouble(3));
          }
        }
      } catch (IOException e) {
        throw new CosmicException(ExitCode.STORAGE, "cannot write " + csv + ": " + e.getMessage(), e);
      }
    }
    return new Result(modelId, rows.size(), failed);
  }

  private static String csvField(String v) {
    return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }
}

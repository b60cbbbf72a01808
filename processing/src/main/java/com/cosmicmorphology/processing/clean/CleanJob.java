package com.cosmicmorphology.processing.clean;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.processing.pixels.PixelStats;
import com.cosmicmorphology.processing.pixels.PixelStatsJob;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./cosmic clean}: {@code curated_images}, one row per image with {@code included} and a reason.
 * Nothing is deleted. Rules, first match wins: undecodable; exact duplicate (same SHA-256: the smallest
 * image_id is kept); label conflict (one picture, or one near-duplicate group, under several labels: all
 * excluded); non-sky keyword (NASA title/keywords); not sky-like (too little dark background); mosaic tile.
 * Near-duplicates (difference hashes within {@code clean.near-duplicate-max-hamming} bits, found by
 * banded LSH in Spark) stay included but share a {@code group_id}, so the split keeps them together.
 */
public final class CleanJob {
  private static final Logger LOG = LoggerFactory.getLogger(CleanJob.class);
  public static final String TABLE = "curated_images";
  public static final StructType SCHEMA = new StructType()
      .add("image_id", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, false)
      .add("label", DataTypes.StringType, true)
      .add("content_sha256", DataTypes.StringType, false)
      .add("group_id", DataTypes.StringType, false)
      .add("included", DataTypes.BooleanType, false)
      .add("reason", DataTypes.StringType, false)
      .add("detail", DataTypes.StringType, true)
      .add("curated_at", DataTypes.TimestampType, false);

  /** Counts per reason, for the summary line and tests. */
  public record Result(long images, long included, Map<String, Long> excludedByReason, long nearDuplicatePairs) {}

  private final SparkSession spark;
  private final LakeLayout lake;
  private final CosmicConfig config;

  public CleanJob(SparkSession spark, LakeLayout lake, CosmicConfig config) {
    this.spark = spark;
    this.lake = lake;
    this.config = config;
  }

  public Result run() {
    Dataset<Row> images = lake.read(spark, LakeTable.IMAGES);
    new PixelStatsJob(spark, lake, config.eda().darkThreshold(),
        com.cosmicmorphology.common.image.DecodeLimits.of(config)).run(); // incremental: cheap when eda ran
    Dataset<Row> stats = spark.read().format("delta").load(lake.location(PixelStatsJob.TABLE))
        .select("content_sha256", "dhash", "signature", "dark_fraction", "error");
    Dataset<Row> meta = images.select("image_id", "source", "label", "content_sha256", "width", "height")
        .join(stats.drop("signature"), "content_sha256").withColumn("non_sky", nonSkyMatch())
        .select("image_id", "source", "label", "content_sha256", "width", "height", "dhash", "dark_fraction", "error",
            "non_sky"); // the join moved the key first: fix the order the code below reads by position
    List<Row> rows = meta.orderBy("image_id").collectAsList();
    List<String[]> pairs = nearDuplicatePairs(stats);

    // groups: same bytes, or near-duplicate bytes
    UnionFind groups = new UnionFind();
    Map<String, List<Row>> bySha = new LinkedHashMap<>();
    for (Row r : rows) {
      bySha.computeIfAbsent(r.getString(r.fieldIndex("content_sha256")), k -> new ArrayList<>()).add(r);
    }
    for (String[] p : pairs) {
      groups.union(p[0], p[1]);
    }
    MosaicTiles mosaics = new MosaicTiles(config.clean().mosaicMinTiles());
    rows.forEach(r -> mosaics.count(r.getString(0), String.valueOf(r.get(r.fieldIndex("label")))));
    if (!config.clean().excludeMosaicTiles()) {
      // Kept tiles of one mosaic form one group, like near-duplicates: they show one object, so a split (and
      // every cross-validation fold) holds all of them or none, and no tile is scored against its neighbours.
      Map<String, String> firstTileSha = new HashMap<>();
      for (Row r : rows) {
        String id = r.getString(0);
        String label = String.valueOf(r.get(r.fieldIndex("label")));
        if (mosaics.isTile(id, label)) {
          String sha = r.getString(r.fieldIndex("content_sha256"));
          groups.union(firstTileSha.computeIfAbsent(MosaicTiles.key(id, label).orElseThrow(), k -> sha), sha);
        }
      }
    }
    Map<String, String> groupIdOfRoot = new HashMap<>(); // root sha -> smallest image_id in the group
    Map<String, Set<String>> labelsOfRoot = new HashMap<>();
    for (Row r : rows) {
      String root = groups.find(r.getString(r.fieldIndex("content_sha256")));
      groupIdOfRoot.merge(root, r.getString(0), (a, b) -> a.compareTo(b) <= 0 ? a : b);
      labelsOfRoot.computeIfAbsent(root, k -> new TreeSet<>()).add(String.valueOf(r.get(r.fieldIndex("label"))));
    }

    Timestamp now = Timestamp.from(Instant.now());
    List<Row> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      String id = r.getString(0);
      String label = r.isNullAt(2) ? null : r.getString(2);
      String sha = r.getString(r.fieldIndex("content_sha256"));
      String root = groups.find(sha);
      String reason = "ok";
      String detail = null;
      String firstWithBytes = bySha.get(sha).get(0).getString(0);
      Set<String> groupLabels = labelsOfRoot.get(root);
      if (!r.isNullAt(r.fieldIndex("error"))) {
        reason = "undecodable";
        detail = r.getString(r.fieldIndex("error"));
      } else if (!firstWithBytes.equals(id)) {
        reason = "duplicate";
        detail = "same bytes as " + firstWithBytes;
      } else if (groupLabels.size() > 1) {
        reason = "label_conflict";
        detail = "the same picture is labelled " + String.join(", ", groupLabels);
      } else if (r.getBoolean(r.fieldIndex("non_sky"))) {
        reason = "non_sky_keyword";
        detail = "title or keywords name a non-sky subject";
      } else if (r.getDouble(r.fieldIndex("dark_fraction")) < config.clean().minDarkFraction()) {
        reason = "not_sky_like";
        detail = String.format("dark background %.3f < clean.min-dark-fraction %.3f",
            r.getDouble(r.fieldIndex("dark_fraction")), config.clean().minDarkFraction());
      } else if (config.clean().excludeMosaicTiles() && mosaics.isTile(id, String.valueOf(label))) {
        reason = "mosaic_tile";
        detail = "one of several tiles of one mosaic (file name stem)";
      }
      String groupId = groupIdOfRoot.get(root);
      if (reason.equals("ok") && mosaics.isTile(id, String.valueOf(label))) {
        detail = "tile of a mosaic, grouped with its other tiles under " + groupId;
      } else if (reason.equals("ok") && !groupId.equals(id)) {
        detail = "near-duplicate of " + groupId; // kept, and kept in the same split as its group
      }
      out.add(RowFactory.create(id, r.getString(1), label, sha, groupId, reason.equals("ok"), reason, detail, now));
    }
    spark.createDataFrame(out, SCHEMA).repartition(1).write().format("delta").mode(SaveMode.Overwrite)
        .option("overwriteSchema", "true").save(lake.location(TABLE));

    Map<String, Long> excluded = out.stream().filter(r -> !r.getBoolean(5))
        .collect(Collectors.groupingBy(r -> r.getString(6), java.util.TreeMap::new, Collectors.counting()));
    long included = out.stream().filter(r -> r.getBoolean(5)).count();
    LOG.info("curated {} images: {} included, excluded {}; {} near-duplicate pairs", out.size(), included, excluded,
        pairs.size());
    return new Result(out.size(), included, excluded, pairs.size());
  }

  /**
   * Pairs of distinct content hashes that show the same picture. Candidates: difference hashes within t bits,
   * found by banded LSH (8 bands of 8 bits; with t below 8, two hashes within t bits agree on at least one
   * whole band, so the band self-join finds every pair without comparing all of them). Confirmed: their 16x16
   * signatures correlate at least {@code clean.near-duplicate-min-correlation} (a centred bright object on
   * black gives similar difference hashes for different objects; the signature tells them apart).
   */
  List<String[]> nearDuplicatePairs(Dataset<Row> stats) {
    int t = config.clean().nearDuplicateMaxHamming();
    Dataset<Row> h = stats.where(col("dhash").isNotNull()).select("content_sha256", "dhash");
    Dataset<Row> sig = stats.where(col("signature").isNotNull()).select("content_sha256", "signature");
    Dataset<Row> bands = h.withColumn("band", org.apache.spark.sql.functions.explode(
        org.apache.spark.sql.functions.sequence(lit(0), lit(7))))
        .withColumn("bucket", org.apache.spark.sql.functions.expr("shiftrightunsigned(dhash, band * 8) & 255"));
    Dataset<Row> a = bands.toDF("sha_a", "hash_a", "band", "bucket");
    Dataset<Row> b = bands.toDF("sha_b", "hash_b", "band", "bucket");
    return a.join(b, a.col("band").equalTo(b.col("band")).and(a.col("bucket").equalTo(b.col("bucket")))
            .and(a.col("sha_a").lt(b.col("sha_b"))))
        .where(org.apache.spark.sql.functions.bit_count(col("hash_a").bitwiseXOR(col("hash_b"))).leq(t))
        .select("sha_a", "sha_b").distinct()
        .join(sig.toDF("sha_a", "sig_a"), "sha_a").join(sig.toDF("sha_b", "sig_b"), "sha_b")
        .orderBy("sha_a", "sha_b").collectAsList().stream()
        .filter(r -> PixelStats.correlation((byte[]) r.getAs("sig_a"), (byte[]) r.getAs("sig_b"))
            >= config.clean().nearDuplicateMinCorrelation())
        .map(r -> new String[] {r.<String>getAs("sha_a"), r.<String>getAs("sha_b")}).toList();
  }

  /** True when a NASA item's title or keywords contain a configured non-sky word (whole words). */
  private org.apache.spark.sql.Column nonSkyMatch() {
    List<String> words = config.clean().nonSkyKeywords();
    if (words.isEmpty() || !lake.exists(spark, LakeTable.NASA_ITEMS)) {
      return lit(false);
    }
    String regex = "(?i)\\b(" + words.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")\\b";
    Dataset<Row> items = lake.read(spark, LakeTable.NASA_ITEMS)
        .select(concat(lit("nasa:"), col("nasa_id")).as("nasa_image_id"),
            concat(org.apache.spark.sql.functions.coalesce(col("title"), lit("")), lit(" "),
                org.apache.spark.sql.functions.concat_ws(" ", col("keywords"))).rlike(regex).as("flag"))
        .where(col("flag"));
    List<String> flagged = items.select("nasa_image_id").collectAsList().stream().map(r -> r.getString(0)).toList();
    return flagged.isEmpty() ? lit(false) : col("image_id").isin(flagged.toArray());
  }
}

package com.cosmicmorphology.processing.clean;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.processing.pixels.PixelStats;
import com.cosmicmorphology.processing.pixels.PixelStatsJob;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
    public static final StructType SCHEMA = LakeTable.CURATED_IMAGES.schema();

    /** Counts per reason, for the summary line and tests. */
    public record Result(long images, long included, Map<String, Long> excludedByReason, long nearDuplicatePairs) {}

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig config;

    public CleanJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.config = ctx.config();
    }

    public Result run() {
        new PixelStatsJob(ctx).run(); // incremental: cheap when eda ran
        Dataset<Row> stats = lake.read(spark, LakeTable.EDA_PIXEL_STATS)
                .select("content_sha256", "dhash", "signature", "dark_fraction", "error");
        List<Candidate> candidates = candidates(stats);
        List<String[]> pairs = nearDuplicatePairs(stats);
        MosaicTiles mosaics = new MosaicTiles(config.clean().mosaicMinTiles());
        candidates.forEach(c -> mosaics.count(c.id(), String.valueOf(c.label())));
        Groups groups = group(candidates, pairs, mosaics);

        Timestamp now = Timestamp.from(Instant.now());
        List<Row> out = new ArrayList<>(candidates.size());
        Map<String, Long> excluded = new java.util.TreeMap<>();
        for (Candidate c : candidates) {
            String groupId = groups.groupId(c.sha());
            Verdict v = verdict(c, groups, mosaics);
            out.add(RowFactory.create(
                    c.id(),
                    c.source(),
                    c.label(),
                    c.sha(),
                    groupId,
                    v.included(),
                    v.reason(),
                    v.included() ? keptDetail(c, groupId, mosaics) : v.detail(),
                    now));
            if (!v.included()) {
                excluded.merge(v.reason(), 1L, Long::sum);
            }
        }
        spark.createDataFrame(out, SCHEMA)
                .repartition(1)
                .write()
                .format("delta")
                .mode(SaveMode.Overwrite)
                .option("overwriteSchema", "true")
                .save(lake.location(LakeTable.CURATED_IMAGES));
        long included = out.size()
                - excluded.values().stream().mapToLong(Long::longValue).sum();
        LOG.info(
                "curated {} images: {} included, excluded {}; {} near-duplicate pairs",
                out.size(),
                included,
                excluded,
                pairs.size());
        return new Result(out.size(), included, excluded, pairs.size());
    }

    /** What cleaning decides on, per image: its metadata joined with its content's pixel statistics. */
    record Candidate(
            String id, String source, String label, String sha, double darkFraction, String error, boolean nonSky) {}

    private List<Candidate> candidates(Dataset<Row> stats) {
        return lake
                .read(spark, LakeTable.IMAGES)
                .select("image_id", "source", "label", "content_sha256")
                .join(stats.drop("signature"), "content_sha256")
                .withColumn("non_sky", nonSkyMatch())
                .orderBy("image_id")
                .collectAsList()
                .stream()
                .map(r -> new Candidate(
                        r.getAs("image_id"),
                        r.getAs("source"),
                        r.getAs("label"),
                        r.getAs("content_sha256"),
                        r.isNullAt(r.fieldIndex("dark_fraction")) ? 0 : r.<Double>getAs("dark_fraction"),
                        r.getAs("error"),
                        r.<Boolean>getAs("non_sky")))
                .toList();
    }

    /**
     * Groups of images that show one picture: the same bytes, near-duplicate bytes, or (when tiles are kept)
     * the tiles of one mosaic. A group's id is its smallest image_id; the first image (by id) of each content
     * hash is the one kept when bytes repeat.
     */
    record Groups(
            UnionFind sets,
            Map<String, String> idOfRoot,
            Map<String, Set<String>> labelsOfRoot,
            Map<String, String> firstIdOfSha) {
        String groupId(String sha) {
            return idOfRoot.get(sets.find(sha));
        }

        Set<String> labels(String sha) {
            return labelsOfRoot.get(sets.find(sha));
        }
    }

    private Groups group(List<Candidate> candidates, List<String[]> pairs, MosaicTiles mosaics) {
        UnionFind sets = new UnionFind();
        Map<String, String> firstIdOfSha = new HashMap<>();
        candidates.forEach(c -> firstIdOfSha.putIfAbsent(c.sha(), c.id())); // candidates come in image_id order
        for (String[] p : pairs) {
            sets.union(p[0], p[1]);
        }
        if (!config.clean().excludeMosaicTiles()) {
            // Kept tiles of one mosaic form one group, like near-duplicates: they show one object, so a split (and
            // every cross-validation fold) holds all of them or none, and no tile is scored against its neighbours.
            Map<String, String> firstTileSha = new HashMap<>();
            for (Candidate c : candidates) {
                String label = String.valueOf(c.label());
                if (mosaics.isTile(c.id(), label)) {
                    sets.union(
                            firstTileSha.computeIfAbsent(
                                    MosaicTiles.key(c.id(), label).orElseThrow(), k -> c.sha()),
                            c.sha());
                }
            }
        }
        Map<String, String> idOfRoot = new HashMap<>();
        Map<String, Set<String>> labelsOfRoot = new HashMap<>();
        for (Candidate c : candidates) {
            String root = sets.find(c.sha());
            idOfRoot.merge(root, c.id(), (x, y) -> x.compareTo(y) <= 0 ? x : y);
            labelsOfRoot.computeIfAbsent(root, k -> new TreeSet<>()).add(String.valueOf(c.label()));
        }
        return new Groups(sets, idOfRoot, labelsOfRoot, firstIdOfSha);
    }

    record Verdict(String reason, String detail) {
        static final Verdict OK = new Verdict("ok", null);

        boolean included() {
            return reason.equals("ok");
        }
    }

    /** The first rule an image breaks, in order; nothing is deleted, an excluded image keeps its reason. */
    private Verdict verdict(Candidate c, Groups groups, MosaicTiles mosaics) {
        String firstWithBytes = groups.firstIdOfSha().get(c.sha());
        Set<String> groupLabels = groups.labels(c.sha());
        double minDark = config.clean().minDarkFraction();
        List<String> classes = config.clean().classes();
        if (c.error() != null) {
            return new Verdict("undecodable", c.error());
        } else if (!classes.isEmpty() && !classes.contains(c.label())) {
            return new Verdict(
                    "unknown_class",
                    "label '" + c.label() + "' is not one of clean.classes (" + String.join(", ", classes)
                            + "); map it with ingest.folder-label-map or nasa.label-map, or add it to clean.classes");
        } else if (!firstWithBytes.equals(c.id())) {
            return new Verdict("duplicate", "same bytes as " + firstWithBytes);
        } else if (groupLabels.size() > 1) {
            return new Verdict("label_conflict", "the same picture is labelled " + String.join(", ", groupLabels));
        } else if (c.nonSky()) {
            return new Verdict("non_sky_keyword", "title or keywords name a non-sky subject");
        } else if (c.darkFraction() < minDark) {
            return new Verdict(
                    "not_sky_like",
                    String.format("dark background %.3f < clean.min-dark-fraction %.3f", c.darkFraction(), minDark));
        } else if (config.clean().excludeMosaicTiles() && mosaics.isTile(c.id(), String.valueOf(c.label()))) {
            return new Verdict("mosaic_tile", "one of several tiles of one mosaic (file name stem)");
        }
        return Verdict.OK;
    }

    /** Why a kept image is not alone: a mosaic's tile or a near-duplicate stays in its group's split. */
    private static String keptDetail(Candidate c, String groupId, MosaicTiles mosaics) {
        if (mosaics.isTile(c.id(), String.valueOf(c.label()))) {
            return "tile of a mosaic, grouped with its other tiles under " + groupId;
        }
        return groupId.equals(c.id()) ? null : "near-duplicate of " + groupId;
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
        Dataset<Row> bands = h.withColumn(
                        "band",
                        org.apache.spark.sql.functions.explode(org.apache.spark.sql.functions.sequence(lit(0), lit(7))))
                .withColumn("bucket", org.apache.spark.sql.functions.expr("shiftrightunsigned(dhash, band * 8) & 255"));
        Dataset<Row> a = bands.toDF("sha_a", "hash_a", "band", "bucket");
        Dataset<Row> b = bands.toDF("sha_b", "hash_b", "band", "bucket");
        return a
                .join(
                        b,
                        a.col("band")
                                .equalTo(b.col("band"))
                                .and(a.col("bucket").equalTo(b.col("bucket")))
                                .and(a.col("sha_a").lt(b.col("sha_b"))))
                .where(org.apache
                        .spark
                        .sql
                        .functions
                        .bit_count(col("hash_a").bitwiseXOR(col("hash_b")))
                        .leq(t))
                .select("sha_a", "sha_b")
                .distinct()
                .join(sig.toDF("sha_a", "sig_a"), "sha_a")
                .join(sig.toDF("sha_b", "sig_b"), "sha_b")
                .orderBy("sha_a", "sha_b")
                .collectAsList()
                .stream()
                .filter(r -> PixelStats.correlation((byte[]) r.getAs("sig_a"), (byte[]) r.getAs("sig_b"))
                        >= config.clean().nearDuplicateMinCorrelation())
                .map(r -> new String[] {r.<String>getAs("sha_a"), r.<String>getAs("sha_b")})
                .toList();
    }

    /** True when a NASA item's title or keywords contain a configured non-sky word (whole words). */
    private org.apache.spark.sql.Column nonSkyMatch() {
        List<String> words = config.clean().nonSkyKeywords();
        if (words.isEmpty() || !lake.exists(spark, LakeTable.NASA_ITEMS)) {
            return lit(false);
        }
        String regex = "(?i)\\b(" + words.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")\\b";
        Dataset<Row> items = lake.read(spark, LakeTable.NASA_ITEMS)
                .select(
                        concat(lit("nasa:"), col("nasa_id")).as("nasa_image_id"),
                        concat(
                                        org.apache.spark.sql.functions.coalesce(col("title"), lit("")),
                                        lit(" "),
                                        org.apache.spark.sql.functions.concat_ws(" ", col("keywords")))
                                .rlike(regex)
                                .as("flag"))
                .where(col("flag"));
        List<String> flagged = items.select("nasa_image_id").collectAsList().stream()
                .map(r -> r.getString(0))
                .toList();
        return flagged.isEmpty() ? lit(false) : col("image_id").isin(flagged.toArray());
    }
}

package com.cosmicmorphology.processing.split;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.conv;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * {@code ./cosmic split}: {@code splits} from {@code curated_images}, stratified per label.
 *
 * <ul>
 *   <li>A group (near-duplicates share one) draws u = SHA-256(seed:group_id) as a number in [0,1) and goes to
 *       train, val or test by the ratios: the same whatever the partitioning, executor count or ingest order.
 *   <li>An image already in {@code splits} keeps its split (appending never moves anything); a new image of an
 *       existing group joins that group's split.
 *   <li>A label with at least 3 groups gets at least one in each split: where a split is empty, the new group
 *       whose u lies closest to that split's interval moves there (old groups move only if no new one can).
 * </ul>
 * Excluded images are written too (included=false), with their group's split, so the table shows where
 * every curated image would go; training reads included ones only.
 */
public final class SplitJob {
    private static final Logger LOG = LoggerFactory.getLogger(SplitJob.class);
    static final String[] SPLITS = {"train", "val", "test"};

    /** Images per split (included only), for the summary line. */
    public record Result(Map<String, Long> included, long moved) {}

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;

    public SplitJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
    }

    public Result run(long seed, List<Double> ratios) {
        if (!DeltaTable.isDeltaTable(spark, lake.location(LakeTable.CURATED_IMAGES))) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    "table 'curated_images' does not exist at " + lake.location(LakeTable.CURATED_IMAGES)
                            + "; run './cosmic clean' first (after './cosmic ingest ...')");
        }
        Dataset<Row> curated =
                lake.read(spark, LakeTable.CURATED_IMAGES).select("image_id", "label", "group_id", "included");
        Dataset<Row> previous = previousSplits();
        double t1 = ratios.get(0);
        double t2 = ratios.get(0) + ratios.get(1);

        Dataset<Row> withPrev = curated.join(previous, "image_id", "left");
        Dataset<Row> groups = groupSplits(withPrev, seed, t1, t2);
        groups.cache();

        Map<String, String> moves = guaranteeEachSplit(groups, t1, t2);
        Dataset<Row> groupSplit = withMoves(groups.select("group_id", "group_split"), moves);
        Dataset<Row> splits = withPrev.join(groupSplit, "group_id")
                .select(
                        col("image_id"),
                        col("label"),
                        coalesce(col("prev_split"), col("group_split")).as("split"),
                        col("group_id"),
                        col("included"),
                        lit(seed).as("seed"));
        splits.cache();
        splits.count(); // materialise before overwriting the table it was partly read from
        Map<String, Long> counts = write(splits);
        splits.unpersist();
        groups.unpersist();
        LOG.info("splits: {} (included images); {} groups moved to fill an empty split", counts, moves.size());
        return new Result(counts, moves.size());
    }

    /** The splits of a previous run (image_id, prev_split): an image keeps its split across runs. */
    private Dataset<Row> previousSplits() {
        return lake.exists(spark, LakeTable.SPLITS)
                ? lake.read(spark, LakeTable.SPLITS)
                        .select(col("image_id"), col("split").as("prev_split"))
                : spark.createDataFrame(
                        List.of(),
                        new StructType().add("image_id", DataTypes.StringType).add("prev_split", DataTypes.StringType));
    }

    /** Per near-duplicate group: its label, any previous split, its hash draw from the seed, and its split. */
    private static Dataset<Row> groupSplits(Dataset<Row> withPrev, long seed, double t1, double t2) {
        // a group's split: the split of its earliest already-split member, else its hash draw
        return withPrev.groupBy("group_id")
                .agg(
                        min(when(col("included"), col("label"))).as("group_label"),
                        first(col("prev_split"), true).as("kept_split"),
                        max(col("included").cast("int")).as("any_included"))
                .withColumn(
                        "u",
                        conv(substring(sha2(concat(lit(seed + ":"), col("group_id")), 256), 1, 13), 16, 10)
                                .cast("double")
                                .divide(Math.pow(16, 13)))
                .withColumn(
                        "drawn",
                        when(col("u").lt(t1), "train")
                                .when(col("u").lt(t2), "val")
                                .otherwise("test"))
                .withColumn("group_split", coalesce(col("kept_split"), col("drawn")));
    }

    private Dataset<Row> withMoves(Dataset<Row> groupSplit, Map<String, String> moves) {
        if (moves.isEmpty()) {
            return groupSplit;
        }
        List<Row> m = moves.entrySet().stream()
                .map(e -> RowFactory.create(e.getKey(), e.getValue()))
                .toList();
        Dataset<Row> moved = spark.createDataFrame(
                m, new StructType().add("mg", DataTypes.StringType).add("ms", DataTypes.StringType));
        return groupSplit
                .join(moved, groupSplit.col("group_id").equalTo(moved.col("mg")), "left")
                .select(col("group_id"), coalesce(col("ms"), col("group_split")).as("group_split"));
    }

    /** Overwrites splits in image_id order; returns the included images per split. */
    private Map<String, Long> write(Dataset<Row> splits) {
        splits.orderBy("image_id")
                .write()
                .format("delta")
                .mode(SaveMode.Overwrite)
                .option("overwriteSchema", "true")
                .save(lake.location(LakeTable.SPLITS));
        Map<String, Long> counts = new HashMap<>();
        splits.where(col("included"))
                .groupBy("split")
                .count()
                .collectAsList()
                .forEach(r -> counts.put(r.getString(0), r.getLong(1)));
        return counts;
    }

    /**
     * For labels with at least 3 included groups and an empty split: group_id -> new split. Only the labels
     * that need it are collected to the driver (few groups each), so this stays cheap at a million rows.
     */
    private Map<String, String> guaranteeEachSplit(Dataset<Row> groups, double t1, double t2) {
        Dataset<Row> included = groups.where(
                col("any_included").equalTo(1).and(col("group_label").isNotNull()));
        Dataset<Row> perLabel = included.groupBy("group_label")
                .agg(
                        count(lit(1)).as("n"),
                        sum(when(col("group_split").equalTo("train"), 1).otherwise(0))
                                .as("train"),
                        sum(when(col("group_split").equalTo("val"), 1).otherwise(0))
                                .as("val"),
                        sum(when(col("group_split").equalTo("test"), 1).otherwise(0))
                                .as("test"));
        List<String> needy = perLabel
                .where(col("n").geq(3)
                        .and(col("train")
                                .equalTo(0)
                                .or(col("val").equalTo(0))
                                .or(col("test").equalTo(0))))
                .select("group_label")
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList();
        Map<String, String> moves = new HashMap<>();
        if (needy.isEmpty()) {
            return moves;
        }
        double[] centre = {t1 / 2, (t1 + t2) / 2, (t2 + 1) / 2};
        Map<String, List<Row>> byLabel = new HashMap<>();
        for (Row r : included.where(col("group_label").isin(needy.toArray()))
                .select("group_label", "group_id", "u", "group_split", "kept_split")
                .orderBy("group_label", "group_id")
                .collectAsList()) {
            byLabel.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r);
        }
        for (List<Row> gs : byLabel.values()) {
            fillEmptySplits(gs, centre, moves);
        }
        return moves;
    }

    /**
     * One label's groups (group_label, group_id, u, group_split, kept_split): for each empty split, the group whose
     * draw is closest to that split's centre moves there, new groups before ones a previous run placed, never
     * emptying the split it leaves.
     */
    private static void fillEmptySplits(List<Row> gs, double[] centre, Map<String, String> moves) {
        Map<String, String> current = new HashMap<>();
        gs.forEach(r -> current.put(r.getString(1), r.getString(3)));
        for (int s = 0; s < 3; s++) {
            String target = SPLITS[s];
            if (current.containsValue(target)) {
                continue;
            }
            Row best = null;
            for (boolean allowOld : new boolean[] {false, true}) {
                for (Row r : gs) {
                    String cur = current.get(r.getString(1));
                    boolean isNew = r.isNullAt(4);
                    long left = current.values().stream().filter(cur::equals).count();
                    if ((isNew || allowOld)
                            && left > 1
                            && (best == null
                                    || Math.abs(r.getDouble(2) - centre[s])
                                            < Math.abs(best.getDouble(2) - centre[s]))) {
                        best = r;
                    }
                }
                if (best != null) {
                    break;
                }
            }
            if (best != null) {
                current.put(best.getString(1), target);
                moves.put(best.getString(1), target);
            }
        }
    }
}

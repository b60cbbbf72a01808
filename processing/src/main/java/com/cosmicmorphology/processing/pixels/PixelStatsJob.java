package com.cosmicmorphology.processing.pixels;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.image.DecodeLimits;
import com.cosmicmorphology.common.image.ImageRefused;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.lake.QuarantineTable;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * {@code eda_pixel_stats}: {@link PixelStats} once per content hash. Incremental: only hashes not yet in the
 * table are decoded, so a re-run after an append processes the new images alone. Images that no longer
 * decode go to quarantine (stage eda) and keep a row with {@code error} set, so they are not retried.
 */
public final class PixelStatsJob {
    public static final StructType SCHEMA = LakeTable.EDA_PIXEL_STATS.schema();

    /** How many hashes were decoded now and how many were already known. */
    public record Result(long computed, long reused) {}

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;
    private final double darkThreshold;
    private final DecodeLimits limits;

    public PixelStatsJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.darkThreshold = ctx.config().eda().darkThreshold();
        this.limits = DecodeLimits.of(ctx.config());
    }

    public Result run() {
        Dataset<Row> images = lake.read(spark, LakeTable.IMAGES);
        String path = lake.location(LakeTable.EDA_PIXEL_STATS);
        // A first run creates the table with its first append (a separate create would be one more commit and
        // snapshot); only a run with nothing to add creates it empty, so readers always find it.
        boolean exists = DeltaTable.isDeltaTable(spark, path);
        Dataset<Row> known = exists ? spark.read().format("delta").load(path).select("content_sha256") : null;
        long reused = exists ? known.count() : 0;
        // only rows whose hash is new are read with their bytes, and the bytes never cross a shuffle: the known
        // hashes are broadcast, statistics are computed where the rows are, and only the small results are
        // grouped to keep one row per hash (the smallest image_id: deterministic)
        Dataset<Row> todo = images.select("content_sha256", "image_id", "content");
        if (known != null) {
            todo = todo.join(org.apache.spark.sql.functions.broadcast(known), "content_sha256", "left_anti");
        }
        Dataset<Row> perImage = todo.mapPartitions(new Compute(darkThreshold, limits), Encoders.row(SCHEMA));
        Dataset<Row> stats = onePerHash(perImage);
        stats.cache();
        // one pass computes everything and counts rows and failures together
        Row counts = stats.agg(
                        org.apache.spark.sql.functions.count(lit(1)),
                        org.apache.spark.sql.functions.count(col("error")))
                .first();
        long computed = counts.getLong(0);
        long failed = counts.getLong(1);
        store(stats, path, computed, failed, exists);
        stats.unpersist();
        return new Result(computed, reused);
    }

    /** One row per content hash: the statistics of its smallest image_id (deterministic whatever the order). */
    private static Dataset<Row> onePerHash(Dataset<Row> perImage) {
        String[] cols = SCHEMA.fieldNames();
        return perImage.groupBy("content_sha256")
                .agg(org.apache
                        .spark
                        .sql
                        .functions
                        .min(org.apache.spark.sql.functions.struct(java.util.Arrays.stream(cols)
                                .filter(c -> !c.equals("content_sha256"))
                                .sorted((a, b) -> a.equals("image_id") ? -1 : b.equals("image_id") ? 1 : 0)
                                .map(org.apache.spark.sql.functions::col)
                                .toArray(org.apache.spark.sql.Column[]::new)))
                        .as("s"))
                .select(java.util.Arrays.stream(cols)
                        .map(c -> c.equals("content_sha256")
                                ? col(c)
                                : col("s." + c).as(c))
                        .toArray(org.apache.spark.sql.Column[]::new));
    }

    /** Appends the new hashes' rows and quarantines the failures; an empty first run creates the table empty. */
    private void store(Dataset<Row> stats, String path, long computed, long failed, boolean exists) {
        if (computed > 0) {
            // An append, not a MERGE: the rows are new hashes by construction (anti-join above, one row per hash),
            // and jobs are the lake's only writer; a MERGE would join them against the table and rewrite files again.
            stats.write()
                    .format("delta")
                    .mode(org.apache.spark.sql.SaveMode.Append)
                    .save(path);
            if (failed > 0) {
                new QuarantineTable(spark, lake)
                        .merge(stats.where(col("error").isNotNull())
                                .select(
                                        lit("images").as("source"),
                                        col("image_id").as("record_id"),
                                        lit("eda").as("stage"),
                                        when(col("error").startsWith("too_many_pixels:"), lit("too_many_pixels"))
                                                .otherwise(lit("undecodable"))
                                                .as("reason"),
                                        col("error").as("detail"),
                                        col("computed_at").as("at")));
            }
        } else if (!exists) {
            lake.create(spark, LakeTable.EDA_PIXEL_STATS);
        }
    }

    /** Decodes and measures each image of a partition; an image that fails becomes a row with its error. */
    public static final class Compute implements MapPartitionsFunction<Row, Row> {
        private final double darkThreshold;
        private final DecodeLimits limits;

        public Compute(double darkThreshold, DecodeLimits limits) {
            this.darkThreshold = darkThreshold;
            this.limits = limits;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            PixelStatsCalculator calc = new PixelStatsCalculator(darkThreshold, limits);
            Timestamp now = Timestamp.from(Instant.now());
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    Row r = rows.next();
                    String sha = r.getString(0);
                    String id = r.getString(1);
                    try {
                        PixelStats s = calc.compute((byte[]) r.get(2));
                        return RowFactory.create(
                                sha,
                                id,
                                s.meanR(),
                                s.meanG(),
                                s.meanB(),
                                s.stdR(),
                                s.stdG(),
                                s.stdB(),
                                s.brightness(),
                                s.darkFraction(),
                                s.sharpness(),
                                s.dhash(),
                                s.signature(),
                                null,
                                now);
                    } catch (IOException | RuntimeException e) {
                        // the error starts with the quarantine reason when the guard refused the image
                        // (too_many_pixels)
                        String why = e instanceof ImageRefused ir
                                ? ir.reason()
                                : e.getClass().getSimpleName();
                        return RowFactory.create(
                                sha,
                                id,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                why + ": " + e.getMessage(),
                                now);
                    }
                }
            };
        }
    }
}

package com.cosmicmorphology.processing.inputs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.ResizePolicy;
import com.cosmicmorphology.common.image.DecodeLimits;
import com.cosmicmorphology.common.image.InputResizer;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.lake.QuarantineTable;
import java.awt.image.BufferedImage;
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
 * {@code ./cosmic prepare}: decodes and resizes every curated image once into {@code features_inputs}, keyed
 * by (content_sha256, size, policy): {@code pixels} holds size*size*3 bytes, HWC RGB. Normalisation is
 * recorded, not baked in: {@code pixel/255} (the backbones' input) is one multiply in the batch loader, and
 * bytes are 4x smaller than floats. Incremental; images that fail to decode go to quarantine (stage inputs).
 */
public final class ModelInputsJob {
    public static final String NORMALISATION = "pixel/255";
    public static final StructType SCHEMA = LakeTable.MODEL_INPUTS.schema();

    /** Hashes prepared now, and those already present for this size and policy. */
    public record Result(long prepared, long reused, long failed) {}

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;

    private final com.cosmicmorphology.common.image.DecodeLimits limits;

    public ModelInputsJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.limits = DecodeLimits.of(ctx.config());
    }

    public Result run(int size, ResizePolicy policy) {
        Dataset<Row> images = lake.read(spark, LakeTable.IMAGES);
        Dataset<Row> curated = lake.read(spark, LakeTable.CURATED_IMAGES)
                .where(col("included"))
                .select("image_id", "content_sha256");
        String path = lake.location(LakeTable.MODEL_INPUTS);
        lake.create(spark, LakeTable.MODEL_INPUTS.tableName(), SCHEMA, "size", "policy");
        Dataset<Row> known = spark.read()
                .format("delta")
                .load(path)
                .where(col("size").equalTo(size).and(col("policy").equalTo(policy.key())))
                .select("content_sha256");
        Dataset<Row> todo = curated.join(
                        known, curated.col("content_sha256").equalTo(known.col("content_sha256")), "left_anti")
                .groupBy("content_sha256")
                .agg(org.apache.spark.sql.functions.min("image_id").as("image_id"));
        todo.cache();
        long n = todo.count();
        long reused = known.count();
        long failed = 0;
        if (n > 0) {
            // Micro-second precision, as Delta stores it, so this run's rows can be found again by their time.
            Timestamp runAt = Timestamp.from(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
            Dataset<Row> rows = images.select("image_id", "content")
                    .join(todo, "image_id")
                    .select("content_sha256", "image_id", "content")
                    .mapPartitions(new Prepare(size, policy, runAt, limits), Encoders.row(SCHEMA));
            // An append, not a MERGE, and nothing cached: todo holds only hashes not yet prepared at this size and
            // policy (anti-join above, one row per hash) and jobs are the lake's only writer, so the pixels
            // (size x size x 3 bytes: 150 KB at 224 px) stream from decoder to table. Caching them for a MERGE
            // ran a 3 GB heap out of memory at 20,000 images (bench processing).
            rows.write()
                    .format("delta")
                    .mode(org.apache.spark.sql.SaveMode.Append)
                    .save(path);
            Dataset<Row> bad = spark.read()
                    .format("delta")
                    .load(path)
                    .where(col("size")
                            .equalTo(size)
                            .and(col("policy").equalTo(policy.key()))
                            .and(col("prepared_at").equalTo(lit(runAt)))
                            .and(col("error").isNotNull()))
                    .select("image_id", "error", "prepared_at");
            failed = bad.count();
            if (failed > 0) {
                new QuarantineTable(spark, lake)
                        .merge(bad.select(
                                lit("images").as("source"),
                                col("image_id").as("record_id"),
                                lit("inputs").as("stage"),
                                lit("undecodable").as("reason"),
                                col("error").as("detail"),
                                col("prepared_at").as("at")));
            }
        }
        todo.unpersist();
        return new Result(n - failed, reused, failed);
    }

    /** Decode + resize per partition; a failure becomes a row with its error (and no pixels). */
    static final class Prepare implements MapPartitionsFunction<Row, Row> {
        private final int size;
        private final ResizePolicy policy;

        private final Timestamp runAt;
        private final com.cosmicmorphology.common.image.DecodeLimits limits;

        Prepare(int size, ResizePolicy policy, Timestamp runAt, com.cosmicmorphology.common.image.DecodeLimits limits) {
            this.size = size;
            this.policy = policy;
            this.runAt = runAt;
            this.limits = limits;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> it) {
            Timestamp now = runAt;
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Row next() {
                    Row r = it.next();
                    try {
                        BufferedImage img = com.cosmicmorphology.common.image.Images.decode((byte[]) r.get(2), limits);
                        if (img == null) {
                            throw new IllegalArgumentException("no decoder for these bytes");
                        }
                        return RowFactory.create(
                                r.getString(0),
                                size,
                                policy.key(),
                                r.getString(1),
                                InputResizer.toHwcRgb(img, size, policy),
                                NORMALISATION,
                                null,
                                now);
                    } catch (Exception e) {
                        return RowFactory.create(
                                r.getString(0),
                                size,
                                policy.key(),
                                r.getString(1),
                                null,
                                NORMALISATION,
                                e.getClass().getSimpleName() + ": " + e.getMessage(),
                                now);
                    }
                }
            };
        }
    }
}

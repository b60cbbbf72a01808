package com.cosmicmorphology.processing.synthetic;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.ResizePolicy;
import com.cosmicmorphology.common.image.Hashes;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.lake.QuarantineTable;
import com.cosmicmorphology.processing.inputs.ModelInputsJob;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * {@code ./cosmic synthesize}: {@code perImage} seeded variants ({@link SyntheticImage}) of the model input of
 * every included train and val image, into {@code features_synthetic} at the same size and policy. Test images
 * never get any; training takes the variants of the images in its own pool only, so an image that moves to test
 * in a later split leaves its variants unused. Incremental and idempotent: a variant is identified by its parent's
 * content, size, policy, recipe (version and seed) and number, and is made once; the executors draw the pixels.
 */
public final class SyntheticJob {
    public static final StructType SCHEMA = LakeTable.SYNTHETIC_INPUTS.schema();

    /** Variants made now, already present, and the parents they belong to. */
    public record Result(long created, long reused, long parents, String recipe) {}

    private final SparkSession spark;
    private final LakeLayout lake;

    public SyntheticJob(JobContext ctx) {
        this.spark = ctx.spark();
        this.lake = ctx.lake();
    }

    /** The recipe a variant was drawn with: the drawing's version and the seed. */
    public static String recipe(long seed) {
        return com.cosmicmorphology.common.image.SyntheticRecipe.of(seed);
    }

    public Result run(int size, ResizePolicy policy, int perImage, long seed) {
        if (perImage < 1) {
            throw new CosmicException(ExitCode.USAGE, "--per-image (synthetic.per-image) must be at least 1");
        }
        String recipe = recipe(seed);
        Dataset<Row> parents = lake.read(spark, LakeTable.SPLITS)
                .where(col("included").and(col("split").isin("train", "val")))
                .select("image_id")
                .join(lake.read(spark, LakeTable.CURATED_IMAGES).select("image_id", "content_sha256"), "image_id")
                .groupBy("content_sha256")
                .agg(org.apache.spark.sql.functions.min("image_id").as("image_id"));
        Dataset<Row> inputs = lake.read(spark, LakeTable.MODEL_INPUTS)
                .where(col("size")
                        .equalTo(size)
                        .and(col("policy").equalTo(policy.key()))
                        .and(col("error").isNull()))
                .select("content_sha256", "pixels")
                .dropDuplicates("content_sha256");
        Dataset<Row> present = parents.join(inputs, "content_sha256");
        long parentCount = parents.count();
        long lacking = parentCount - present.count();
        if (lacking > 0) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    lacking + " train/val images have no model input at " + size + " px (" + policy.key()
                            + "); run './cosmic prepare --size " + size + " --policy " + policy.key() + "' first");
        }
        // a model input of the wrong length (a foreign writer, a damaged file) costs its image a quarantine row,
        // not the run: its variants are skipped
        int bytes = size * size * 3;
        Dataset<Row> withPixels = present.where(length(col("pixels")).equalTo(bytes));
        Dataset<Row> malformed = present.where(length(col("pixels")).notEqual(bytes));
        long skipped = malformed.count();
        if (skipped > 0) {
            new QuarantineTable(spark, lake)
                    .merge(malformed.select(
                            lit("features_inputs").as("source"),
                            col("image_id").as("record_id"),
                            lit("synthesize").as("stage"),
                            lit("bad_model_input").as("reason"),
                            concat(
                                            length(col("pixels")).cast("string"),
                                            lit(" bytes, not " + size + "x" + size
                                                    + "x3; run './cosmic prepare' again"))
                                    .as("detail"),
                            current_timestamp().as("at")));
        }
        lake.create(spark, LakeTable.SYNTHETIC_INPUTS);
        Dataset<Row> known = lake.read(spark, LakeTable.SYNTHETIC_INPUTS)
                .where(col("size")
                        .equalTo(size)
                        .and(col("policy").equalTo(policy.key()))
                        .and(col("recipe").equalTo(recipe)))
                .select(col("parent_sha256").as("content_sha256"), col("variant"));
        Dataset<Row> wanted = withPixels
                .select("content_sha256")
                .crossJoin(spark.range(perImage).select(col("id").cast("int").as("variant")));
        Dataset<Row> todo = wanted.join(
                known,
                scala.collection.JavaConverters.asScalaBuffer(List.of("content_sha256", "variant"))
                        .toSeq(),
                "left_anti");
        long todoCount = todo.count();
        long reused = (parentCount - skipped) * perImage - todoCount;
        Timestamp now = Timestamp.from(Instant.now());
        // spread the drawing over every core: the join leaves as few partitions as its small inputs had
        int tasks = Math.max(1, 2 * spark.sparkContext().defaultParallelism());
        Dataset<Row> rows = todo.join(withPixels, "content_sha256")
                .select("content_sha256", "image_id", "variant", "pixels")
                .repartition(tasks)
                .mapPartitions(new Draw(size, policy.key(), recipe, seed, now), Encoders.row(SCHEMA));
        // an append: the anti-join leaves only variants not yet made, and jobs are the lake's only writer
        rows.write().format("delta").mode(SaveMode.Append).save(lake.location(LakeTable.SYNTHETIC_INPUTS));
        return new Result(todoCount, reused, parentCount - skipped, recipe);
    }

    /** The seed of one variant: the run's seed, the parent's content and the variant's number. */
    public static long variantSeed(long seed, String parentSha, int variant) {
        long h = Long.parseUnsignedLong(parentSha.substring(0, 15), 16);
        return h * 0x9E3779B97F4A7C15L + seed * 1_000_003L + variant;
    }

    /** Draws the variants of a partition's (parent, variant) pairs on the executor. */
    static final class Draw implements MapPartitionsFunction<Row, Row> {
        private final int size;
        private final String policy;
        private final String recipe;
        private final long seed;
        private final Timestamp now;

        Draw(int size, String policy, String recipe, long seed, Timestamp now) {
            this.size = size;
            this.policy = policy;
            this.recipe = recipe;
            this.seed = seed;
            this.now = now;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> it) {
            // one variant at a time: a partition's pixels (150 KB each at 224 px) stream to the writer
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Row next() {
                    return draw(it.next());
                }
            };
        }

        private Row draw(Row r) {
            String parentSha = r.getString(0);
            String parentId = r.getString(1);
            int variant = r.getInt(2);
            SyntheticImage.Variant v = SyntheticImage.of(r.getAs(3), size, variantSeed(seed, parentSha, variant));
            return RowFactory.create(
                    Hashes.sha256(v.pixels()),
                    size,
                    policy,
                    recipe,
                    variant,
                    "synthetic:" + parentId + "#" + variant,
                    parentId,
                    parentSha,
                    v.transform(),
                    v.pixels(),
                    ModelInputsJob.NORMALISATION,
                    true,
                    now);
        }
    }
}

package com.cosmicmorphology.processing.eda;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.year;

import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The EDA aggregates, each a function from lake tables to a small Dataset. Metadata aggregates select only
 * the columns they need, so Delta/Parquet never reads the image bytes for them.
 */
public final class EdaTables {
    /** The EDA summary tables this module owns (free eda_* names; the report reads them back). */
    public static final String CLASS_COUNTS = "eda_class_counts";

    public static final String DIMENSIONS = "eda_dimensions";
    public static final String DUPLICATES = "eda_duplicates";
    public static final String KEYWORDS = "eda_keywords";
    public static final String ITEMS_PER_YEAR = "eda_items_per_year";
    public static final String ITEMS_PER_CENTER = "eda_items_per_center";
    public static final String QUARANTINE_REASONS = "eda_quarantine_reasons";
    public static final String PIXELS_PER_CLASS = "eda_pixels_per_class";

    private final SparkSession spark;
    private final LakeLayout lake;

    public EdaTables(SparkSession spark, LakeLayout lake) {
        this.spark = spark;
        this.lake = lake;
    }

    /** Images per source and label. */
    public Dataset<Row> classCounts(Dataset<Row> images) {
        return images.select("source", "label")
                .groupBy("source", "label")
                .agg(count(lit(1)).as("n"))
                .orderBy("source", "label");
    }

    /** Long side in 64 px buckets and aspect ratio (rounded to 0.1), per label. */
    public Dataset<Row> dimensions(Dataset<Row> images) {
        return images.select("label", "width", "height")
                .withColumn(
                        "long_side_bucket",
                        floor(greatest(col("width"), col("height")).divide(64)).multiply(64))
                .withColumn("aspect", round(col("width").divide(col("height")), 1))
                .groupBy("label", "long_side_bucket", "aspect")
                .agg(count(lit(1)).as("n"))
                .orderBy("label", "long_side_bucket", "aspect");
    }

    /** Mean pixel statistics per label (joins eda_pixel_stats by content hash). */
    public Dataset<Row> pixelsPerClass(Dataset<Row> images, Dataset<Row> pixelStats) {
        return images.select("label", "content_sha256")
                .join(pixelStats.where(col("error").isNull()), "content_sha256")
                .groupBy("label")
                .agg(
                        count(lit(1)).as("n"),
                        org.apache.spark.sql.functions.avg("brightness").as("brightness_mean"),
                        org.apache.spark.sql.functions.stddev_pop("brightness").as("brightness_std"),
                        org.apache.spark.sql.functions.avg("dark_fraction").as("dark_fraction_mean"),
                        org.apache.spark.sql.functions.avg("sharpness").as("sharpness_mean"),
                        org.apache.spark.sql.functions.avg("mean_r").as("mean_r"),
                        org.apache.spark.sql.functions.avg("mean_g").as("mean_g"),
                        org.apache.spark.sql.functions.avg("mean_b").as("mean_b"))
                .orderBy("label");
    }

    /** Exact duplicates in images: content hashes held by more than one image. */
    public Dataset<Row> duplicates(Dataset<Row> images) {
        return images.select("content_sha256", "image_id", "label")
                .groupBy("content_sha256")
                .agg(
                        count(lit(1)).as("n"),
                        org.apache
                                .spark
                                .sql
                                .functions
                                .array_sort(org.apache.spark.sql.functions.collect_list("image_id"))
                                .as("image_ids"),
                        org.apache
                                .spark
                                .sql
                                .functions
                                .array_sort(org.apache.spark.sql.functions.collect_set("label"))
                                .as("labels"))
                .where(col("n").gt(1))
                .orderBy(col("n").desc(), col("content_sha256"));
    }

    public Dataset<Row> keywords(Dataset<Row> items) {
        return items.select(explode(col("keywords")).as("k"))
                .select(lower(trim(col("k"))).as("keyword"))
                .where(col("keyword").notEqual(""))
                .groupBy("keyword")
                .agg(count(lit(1)).as("n"))
                .orderBy(col("n").desc(), col("keyword"));
    }

    public Dataset<Row> itemsPerYear(Dataset<Row> items) {
        return items.select(year(col("date_created")).as("year"))
                .groupBy("year")
                .agg(count(lit(1)).as("n"))
                .orderBy("year");
    }

    public Dataset<Row> itemsPerCenter(Dataset<Row> items) {
        return items.select("center")
                .groupBy("center")
                .agg(count(lit(1)).as("n"))
                .orderBy(col("n").desc(), col("center"));
    }

    public Dataset<Row> quarantineReasons(Dataset<Row> quarantine) {
        return quarantine
                .select("source", "stage", "reason")
                .groupBy("source", "stage", "reason")
                .agg(count(lit(1)).as("n"))
                .orderBy(col("n").desc(), col("source"), col("stage"), col("reason"));
    }

    /**
     * Every metadata table by name (eda_*); items tables only when NASA items exist. Pixel tables are added by
     * {@link EdaJob} after the incremental pixel pass.
     */
    public Map<String, Dataset<Row>> metadataTables() {
        Dataset<Row> images = lake.read(spark, LakeTable.IMAGES);
        Map<String, Dataset<Row>> out = new LinkedHashMap<>();
        out.put(CLASS_COUNTS, classCounts(images));
        out.put(DIMENSIONS, dimensions(images));
        out.put(DUPLICATES, duplicates(images));
        if (lake.exists(spark, LakeTable.NASA_ITEMS)) {
            Dataset<Row> items = lake.read(spark, LakeTable.NASA_ITEMS);
            out.put(KEYWORDS, keywords(items));
            out.put(ITEMS_PER_YEAR, itemsPerYear(items));
            out.put(ITEMS_PER_CENTER, itemsPerCenter(items));
        }
        if (lake.exists(spark, LakeTable.QUARANTINE)) {
            out.put(QUARANTINE_REASONS, quarantineReasons(lake.read(spark, LakeTable.QUARANTINE)));
        }
        return out;
    }

    public Dataset<Row> pixelStats() {
        return lake.read(spark, LakeTable.EDA_PIXEL_STATS);
    }
}

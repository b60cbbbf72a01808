package com.cosmicmorphology.common.lake;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of every table in {@link LakeTable}, in one place (docs/architecture.md describes them for users).
 * Writers create tables with these schemas; {@link LakeLayout#read} checks them on the way in, so a table
 * written by another version fails with one line naming the missing column instead of deep in a job.
 */
final class LakeSchemas {
    static final StructType NASA_ITEMS = new StructType()
            .add("nasa_id", DataTypes.StringType, false)
            .add("title", DataTypes.StringType, true)
            .add("description", DataTypes.StringType, true)
            .add("keywords", DataTypes.createArrayType(DataTypes.StringType), true)
            .add("center", DataTypes.StringType, true)
            .add("date_created", DataTypes.TimestampType, true)
            .add("media_type", DataTypes.StringType, true)
            .add("queries", DataTypes.createArrayType(DataTypes.StringType), false)
            .add("preview_url", DataTypes.StringType, true)
            .add("raw_json", DataTypes.StringType, false)
            .add("ingested_at", DataTypes.TimestampType, false);

    static final StructType IMAGES = new StructType()
            .add("image_id", DataTypes.StringType, false)
            .add("source", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, true)
            .add("label_source", DataTypes.StringType, true)
            .add("content", DataTypes.BinaryType, false)
            .add("content_sha256", DataTypes.StringType, false)
            .add("format", DataTypes.StringType, false)
            .add("width", DataTypes.IntegerType, false)
            .add("height", DataTypes.IntegerType, false)
            .add("size_bytes", DataTypes.LongType, false)
            .add("origin", DataTypes.StringType, false)
            .add("ingested_at", DataTypes.TimestampType, false);

    static final StructType QUARANTINE = new StructType()
            .add("source", DataTypes.StringType, false)
            .add("record_id", DataTypes.StringType, false)
            .add("stage", DataTypes.StringType, false)
            .add("reason", DataTypes.StringType, false)
            .add("detail", DataTypes.StringType, true)
            .add("at", DataTypes.TimestampType, false);

    /** Per distinct content: what cleaning and the EDA report read (colour, darkness, sharpness, perceptual hash). */
    static final StructType EDA_PIXEL_STATS = new StructType()
            .add("content_sha256", DataTypes.StringType, false)
            .add("image_id", DataTypes.StringType, false)
            .add("mean_r", DataTypes.DoubleType, true)
            .add("mean_g", DataTypes.DoubleType, true)
            .add("mean_b", DataTypes.DoubleType, true)
            .add("std_r", DataTypes.DoubleType, true)
            .add("std_g", DataTypes.DoubleType, true)
            .add("std_b", DataTypes.DoubleType, true)
            .add("brightness", DataTypes.DoubleType, true)
            .add("dark_fraction", DataTypes.DoubleType, true)
            .add("sharpness", DataTypes.DoubleType, true)
            .add("dhash", DataTypes.LongType, true)
            .add("signature", DataTypes.BinaryType, true)
            .add("error", DataTypes.StringType, true)
            .add("computed_at", DataTypes.TimestampType, false);

    static final StructType CURATED_IMAGES = new StructType()
            .add("image_id", DataTypes.StringType, false)
            .add("source", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, true)
            .add("content_sha256", DataTypes.StringType, false)
            .add("group_id", DataTypes.StringType, false)
            .add("included", DataTypes.BooleanType, false)
            .add("reason", DataTypes.StringType, false)
            .add("detail", DataTypes.StringType, true)
            .add("curated_at", DataTypes.TimestampType, false);

    static final StructType SPLITS = new StructType()
            .add("image_id", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, true)
            .add("split", DataTypes.StringType, false)
            .add("group_id", DataTypes.StringType, false)
            .add("included", DataTypes.BooleanType, false)
            .add("seed", DataTypes.LongType, false);

    /** Model inputs: pixels decoded once per content hash, size and resize policy. */
    static final StructType MODEL_INPUTS = new StructType()
            .add("content_sha256", DataTypes.StringType, false)
            .add("size", DataTypes.IntegerType, false)
            .add("policy", DataTypes.StringType, false)
            .add("image_id", DataTypes.StringType, false)
            .add("pixels", DataTypes.BinaryType, true)
            .add("normalisation", DataTypes.StringType, false)
            .add("error", DataTypes.StringType, true)
            .add("prepared_at", DataTypes.TimestampType, false);

    static final StructType PREDICTIONS = new StructType()
            .add("image_id", DataTypes.StringType, false)
            .add("model_id", DataTypes.StringType, false)
            .add("predicted_label", DataTypes.StringType, false)
            .add("confidence", DataTypes.DoubleType, false)
            .add("probabilities", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), false)
            .add("predicted_at", DataTypes.TimestampType, false);

    static final StructType METRICS = new StructType()
            .add("model_id", DataTypes.StringType, false)
            .add("split", DataTypes.StringType, false)
            .add("metric", DataTypes.StringType, false)
            .add("class", DataTypes.StringType, true)
            .add("value", DataTypes.DoubleType, true)
            .add("computed_at", DataTypes.TimestampType, false);

    static final StructType TRIALS = new StructType()
            .add("trial_id", DataTypes.StringType, false)
            .add("search_id", DataTypes.StringType, false)
            .add("config", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), false)
            .add("metric", DataTypes.StringType, false)
            .add("mean", DataTypes.DoubleType, false)
            .add("spread", DataTypes.DoubleType, false)
            .add("folds", DataTypes.IntegerType, false)
            .add("seconds", DataTypes.DoubleType, false)
            .add("epochs", DataTypes.IntegerType, false)
            .add("backbone", DataTypes.StringType, false)
            .add("images", DataTypes.IntegerType, false)
            .add("created_at", DataTypes.TimestampType, false);

    /**
     * Per synthetic image (all rows are synthetic: the flag is for queries that union this table with
     * features_inputs): a seeded variant of a train or val image's model input, at the same size and policy.
     */
    static final StructType SYNTHETIC_INPUTS = new StructType()
            .add("content_sha256", DataTypes.StringType, false)
            .add("size", DataTypes.IntegerType, false)
            .add("policy", DataTypes.StringType, false)
            .add("recipe", DataTypes.StringType, false)
            .add("variant", DataTypes.IntegerType, false)
            .add("synthetic_id", DataTypes.StringType, false)
            .add("parent_image_id", DataTypes.StringType, false)
            .add("parent_sha256", DataTypes.StringType, false)
            .add("transform", DataTypes.StringType, false)
            .add("pixels", DataTypes.BinaryType, false)
            .add("normalisation", DataTypes.StringType, false)
            .add("synthetic", DataTypes.BooleanType, false)
            .add("created_at", DataTypes.TimestampType, false);

    /** Per compare run and backbone: the same cross-validation, timings and size for every backbone. */
    static final StructType BACKBONE_COMPARISON = new StructType()
            .add("compare_id", DataTypes.StringType, false)
            .add("backbone", DataTypes.StringType, false)
            .add("backbone_id", DataTypes.StringType, false)
            .add("pretrained", DataTypes.StringType, false)
            .add("parameters", DataTypes.LongType, false)
            .add("input_size", DataTypes.IntegerType, false)
            .add("feature_dim", DataTypes.IntegerType, false)
            .add("images", DataTypes.IntegerType, false)
            .add("folds", DataTypes.IntegerType, false)
            .add("head", DataTypes.StringType, false)
            .add("epochs", DataTypes.IntegerType, false)
            .add("cv_accuracy", DataTypes.DoubleType, false)
            .add("cv_accuracy_spread", DataTypes.DoubleType, false)
            .add("cv_macro_f1", DataTypes.DoubleType, false)
            .add("cv_macro_f1_spread", DataTypes.DoubleType, false)
            .add("features_computed", DataTypes.LongType, false)
            .add("feature_seconds", DataTypes.DoubleType, false)
            .add("cv_seconds", DataTypes.DoubleType, false)
            .add("inference_images_per_s", DataTypes.DoubleType, true)
            .add("compared_at", DataTypes.TimestampType, false);

    private LakeSchemas() {}
}

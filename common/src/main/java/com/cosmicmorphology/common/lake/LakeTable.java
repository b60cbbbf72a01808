package com.cosmicmorphology.common.lake;

import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * The tables of the lake, in code: name, the command that writes each, columns and key. docs/architecture.md is
 * the user-facing copy of the same contract. Tables another module reads (training reads processing's) are here,
 * so no module reads another's tables by a literal name; per-backbone feature caches ({@code features_<id>}) and
 * the EDA summaries ({@code eda_*}) are free tables named by the module that owns them.
 */
public enum LakeTable {
    NASA_ITEMS("nasa_items", "ingest nasa", LakeSchemas.NASA_ITEMS, "nasa_id"),
    IMAGES("images", "ingest nasa or ingest folder", LakeSchemas.IMAGES, "image_id"),
    QUARANTINE(
            "quarantine",
            "ingest nasa or ingest folder",
            LakeSchemas.QUARANTINE,
            "source",
            "record_id",
            "stage",
            "reason"),
    EDA_PIXEL_STATS("eda_pixel_stats", "eda", LakeSchemas.EDA_PIXEL_STATS, "content_sha256"),
    CURATED_IMAGES("curated_images", "clean", LakeSchemas.CURATED_IMAGES, "image_id"),
    SPLITS("splits", "split", LakeSchemas.SPLITS, "image_id"),
    MODEL_INPUTS("features_inputs", "prepare", LakeSchemas.MODEL_INPUTS, "content_sha256", "size", "policy"),
    PREDICTIONS("predictions", "predict", LakeSchemas.PREDICTIONS, "image_id", "model_id"),
    METRICS("metrics", "evaluate", LakeSchemas.METRICS, "model_id", "split", "metric", "class"),
    SYNTHETIC_INPUTS(
            "features_synthetic",
            "synthesize",
            LakeSchemas.SYNTHETIC_INPUTS,
            "parent_sha256",
            "size",
            "policy",
            "recipe",
            "variant"),
    TRIALS("trials", "tune", LakeSchemas.TRIALS, "trial_id"),
    BACKBONE_COMPARISON("backbone_comparison", "compare", LakeSchemas.BACKBONE_COMPARISON, "compare_id", "backbone");

    private final String tableName;
    private final String producedBy;
    private final StructType schema;
    private final List<String> keys;

    LakeTable(String tableName, String producedBy, StructType schema, String... keys) {
        this.tableName = tableName;
        this.producedBy = producedBy;
        this.schema = schema;
        this.keys = List.of(keys);
    }

    public String tableName() {
        return tableName;
    }

    /** The command a user runs to create this table, for "run X first" messages. */
    public String producedBy() {
        return producedBy;
    }

    /** The columns writers create and readers may rely on. */
    public StructType schema() {
        return schema;
    }

    /** Columns that identify a row: a re-run's MERGE matches on them, so nothing lands twice. */
    public List<String> keys() {
        return keys;
    }
}

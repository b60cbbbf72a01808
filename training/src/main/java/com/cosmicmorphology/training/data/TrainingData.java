package com.cosmicmorphology.training.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What training reads from the lake, through the layout in common: included rows of {@code splits}, with the
 * prepared pixels of {@code features_inputs} at the backbone's size. Also the Delta versions of those
 * tables, which the model's metadata records (notebooks can time-travel to them).
 */
public final class TrainingData {

    private final SparkSession spark;
    private final LakeLayout lake;

    public TrainingData(SparkSession spark, LakeLayout lake) {
        this.spark = spark;
        this.lake = lake;
    }

    /** @param split train, val, test, or null for all */
    public List<LabelledImage> load(String split, int size, String policy) {
        return load(split, size, policy, true);
    }

    /**
     * @param withPixels false where the backbone runs on the executors: the images' model inputs are checked to
     *     exist but stay in the lake (the driver gets ids, labels, groups and hashes only; pixels are null)
     */
    public List<LabelledImage> load(String split, int size, String policy, boolean withPixels) {
        Dataset<Row> joined = joined(split, size, policy, withPixels);
        List<LabelledImage> out = new ArrayList<>();
        long missing = 0;
        for (Row r : joined.collectAsList()) {
            if (r.isNullAt(r.fieldIndex("pixels"))) {
                missing++;
                continue;
            }
            out.add(new LabelledImage(
                    r.getAs("image_id"),
                    r.getAs("label"),
                    r.getAs("split"),
                    r.getAs("group_id"),
                    r.getAs("content_sha256"),
                    withPixels ? r.getAs("pixels") : null));
        }
        if (missing > 0) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    missing + " curated images have no model input at " + size + " px (" + policy
                            + "); run './cosmic prepare --size " + size + " --policy " + policy + "' first");
        }
        if (out.isEmpty()) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    "the " + (split == null ? "" : split + " ")
                            + "split is empty: no included images; ingest images, then run clean, split and prepare");
        }
        return out;
    }

    /** Included rows of the split joined by name with their curated group and their model input (or a flag). */
    private Dataset<Row> joined(String split, int size, String policy, boolean withPixels) {
        Dataset<Row> splits = lake.read(spark, LakeTable.SPLITS).where(col("included"));
        if (split != null) {
            splits = splits.where(col("split").equalTo(split));
        }
        Dataset<Row> curated =
                lake.read(spark, LakeTable.CURATED_IMAGES).select("image_id", "group_id", "content_sha256");
        if (!lake.exists(spark, LakeTable.MODEL_INPUTS)) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    "table '" + LakeTable.MODEL_INPUTS.tableName() + "' is missing; run './cosmic prepare --size "
                            + size + "' first");
        }
        Dataset<Row> inputs = lake.read(spark, LakeTable.MODEL_INPUTS)
                .where(col("size")
                        .equalTo(size)
                        .and(col("policy").equalTo(policy))
                        .and(col("error").isNull()))
                .select("content_sha256", "pixels");
        return splits.select("image_id", "label", "split")
                .join(curated, "image_id")
                .join(inputs, curated.col("content_sha256").equalTo(inputs.col("content_sha256")), "left")
                .select(
                        col("image_id"),
                        col("label"),
                        col("split"),
                        col("group_id"),
                        curated.col("content_sha256"),
                        // without pixels: a flag that is null where the input is missing (a binary literal would
                        // do, but Spark's plan printing needs a newer commons-codec than DL4J's for it)
                        withPixels
                                ? col("pixels")
                                : when(col("pixels").isNotNull(), lit(true)).as("pixels"))
                .orderBy("image_id");
    }

    /**
     * SHA-256 over what identifies each image for training: image_id, label, split, group_id and content hash, in
     * image_id order (so the order the splits were loaded in does not matter). Equal digests mean the same images
     * under the same labels, splits and groups, whatever Delta versions the tables went through.
     */
    public static String digest(List<LabelledImage> images) {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        for (LabelledImage i : images.stream()
                .sorted(java.util.Comparator.comparing(LabelledImage::imageId))
                .toList()) {
            // a separator no field holds, so ("ab", "c") and ("a", "bc") differ
            String row = String.join(
                            "\u0000",
                            i.imageId(),
                            String.valueOf(i.label()),
                            String.valueOf(i.split()),
                            String.valueOf(i.groupId()),
                            String.valueOf(i.contentSha256()))
                    + "\n";
            sha.update(row.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    /** Latest Delta version of each table a model depends on. */
    public Map<String, Long> versions() {
        Map<String, Long> v = new LinkedHashMap<>();
        for (LakeTable t :
                List.of(LakeTable.IMAGES, LakeTable.CURATED_IMAGES, LakeTable.SPLITS, LakeTable.MODEL_INPUTS)) {
            if (lake.exists(spark, t)) {
                v.put(t.tableName(), lake.version(spark, t.tableName()));
            }
        }
        return v;
    }
}

package com.cosmicmorphology.training.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.cosmicmorphology.common.config.ResizePolicy;
import com.cosmicmorphology.common.image.DecodeLimits;
import com.cosmicmorphology.common.image.Images;
import com.cosmicmorphology.common.image.InputResizer;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the executors get the model inputs of images they score, by content hash, without the driver seeing
 * any bytes: the {@code features_inputs} row at the size and policy when there is one, else the image's
 * encoded bytes from {@code images} (predict --lake scores every image, curated or not), decoded and resized
 * on the executor as prepare would ({@link #modelInput}).
 */
public final class ExecutorPixels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorPixels.class);

    private ExecutorPixels() {}

    /** Rows (content_sha256, pixels, encoded): {@code encoded} true where pixels are an image file's bytes. */
    public static Dataset<Row> of(SparkSession spark, LakeLayout lake, List<String> shas, int size, String policy) {
        Dataset<Row> wanted = org.apache.spark.sql.functions.broadcast(
                spark.createDataset(shas, Encoders.STRING()).toDF("content_sha256"));
        Dataset<Row> prepared = lake.read(spark, LakeTable.MODEL_INPUTS)
                .where(col("size")
                        .equalTo(size)
                        .and(col("policy").equalTo(policy))
                        .and(col("error").isNull()))
                .join(wanted, "content_sha256")
                .select(col("content_sha256"), col("pixels"), lit(false).as("encoded"))
                .dropDuplicates("content_sha256");
        if (lake.exists(spark, LakeTable.SYNTHETIC_INPUTS)) {
            // synthetic variants are model inputs of their own (training's extra examples), found by their hash
            prepared = prepared.unionByName(lake.read(spark, LakeTable.SYNTHETIC_INPUTS)
                    .where(col("size").equalTo(size).and(col("policy").equalTo(policy)))
                    .join(wanted, "content_sha256")
                    .select(col("content_sha256"), col("pixels"), lit(false).as("encoded"))
                    .dropDuplicates("content_sha256"));
        }
        if (!lake.exists(spark, LakeTable.IMAGES.tableName())) {
            return prepared;
        }
        Dataset<Row> lacking = wanted.join(
                prepared.select("content_sha256"),
                scala.collection.JavaConverters.asScalaBuffer(List.of("content_sha256"))
                        .toSeq(),
                "left_anti");
        return prepared.unionByName(lake.read(spark, LakeTable.IMAGES)
                .join(lacking, "content_sha256")
                .select(
                        col("content_sha256"),
                        col("content").as("pixels"),
                        lit(true).as("encoded"))
                .dropDuplicates("content_sha256"));
    }

    /**
     * A row of {@link #of} as model-input pixels, image bytes decoded under the run's {@code decode.*} limits (HWC RGB at {@code size}), or null when its bytes do not decode. */
    public static byte[] pixels(Row r, int size, String policy, DecodeLimits limits) {
        byte[] px = r.getAs("pixels");
        return r.<Boolean>getAs("encoded") ? modelInput(r.getString(0), px, size, policy, limits) : px;
    }

    /** Encoded image bytes as the model input prepare would make (HWC RGB at {@code size}), or null. */
    static byte[] modelInput(String sha, byte[] encoded, int size, String policy, DecodeLimits limits) {
        try {
            BufferedImage img = Images.decode(encoded, limits);
            if (img == null) {
                LOG.warn("image {} does not decode: not scored", sha);
                return null;
            }
            return InputResizer.toHwcRgb(img, size, ResizePolicy.parse(policy));
        } catch (IOException | RuntimeException e) {
            LOG.warn("image {} does not decode ({}): not scored", sha, e.toString());
            return null;
        }
    }
}

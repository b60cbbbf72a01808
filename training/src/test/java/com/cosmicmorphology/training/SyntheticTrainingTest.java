package com.cosmicmorphology.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.image.Hashes;
import com.cosmicmorphology.common.image.SyntheticRecipe;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.training.data.Views;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training with synthetic variants (synthetic.train-per-image), over a features_synthetic table written in the
 * contract's columns (training reads what processing's synthesize writes, not its code).
 */
class SyntheticTrainingTest {
    @TempDir
    Path tmp;

    private final SparkSession spark = SharedSpark.get();

    private static CosmicConfig config(String root, int perImage) {
        Map<String, String> all = new HashMap<>(Map.of(
                "training.input-size", Integer.toString(TrainingTest.SIZE),
                "training.feature-views", "2",
                "training.epochs", "20",
                "training.head", "linear",
                "training.keras-model", TrainingTest.KERAS,
                "inputs.policy", "center-crop",
                "synthetic.train-per-image", Integer.toString(perImage)));
        return SharedSpark.config(root, all);
    }

    /** {@code variants} per train/val image: a mirrored, darker copy of its model input, as synthesize would tag it. */
    private void writeVariants(LakeLayout lake, int variants) {
        List<Row> inputs = lake.read(spark, LakeTable.MODEL_INPUTS).collectAsList();
        List<Row> splits = lake.read(spark, LakeTable.SPLITS).collectAsList();
        Map<String, String> splitOf = new HashMap<>();
        splits.forEach(r -> splitOf.put(r.getAs("image_id"), r.getAs("split")));
        List<Row> rows = new ArrayList<>();
        Timestamp now = Timestamp.from(Instant.now());
        for (Row in : inputs) {
            if ("test".equals(splitOf.get(in.<String>getAs("image_id")))) {
                continue;
            }
            for (int v = 0; v < variants; v++) {
                byte[] px =
                        Views.view(in.getAs("pixels"), TrainingTest.SIZE, 4 + v).clone();
                for (int i = 0; i < px.length; i++) {
                    px[i] = (byte) ((px[i] & 0xff) * 9 / 10);
                }
                rows.add(RowFactory.create(
                        Hashes.sha256(px),
                        TrainingTest.SIZE,
                        "center-crop",
                        SyntheticRecipe.of(42),
                        v,
                        "synthetic:" + in.getAs("image_id") + "#" + v,
                        in.getAs("image_id"),
                        in.getAs("content_sha256"),
                        "mirror, 0.9x",
                        px,
                        "pixel/255",
                        true,
                        now));
            }
        }
        spark.createDataFrame(rows, LakeTable.SYNTHETIC_INPUTS.schema())
                .write()
                .format("delta")
                .save(lake.location(LakeTable.SYNTHETIC_INPUTS));
    }

    @Test
    void variantsTrainBesideTheirParentsAndAreRecorded() throws Exception {
        LakeLayout lake = new LakeLayout(tmp.resolve("lake").toString());
        TrainingTest.writeLake(spark, lake, TrainingTest.CLASSES, true);
        CosmicConfig one = config(lake.root(), 1);
        assertThatThrownBy(() -> new TrainJob(JobContext.of(spark, lake, one)).run(tmp.resolve("m0")))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("synthetic.train-per-image=1 but the lake has no features_synthetic table")
                .hasMessageContaining("run './cosmic synthesize --per-image 1 --size 96 --policy center-crop'");
        writeVariants(lake, 1);

        TrainJob.Result r = new TrainJob(JobContext.of(spark, lake, one)).run(tmp.resolve("m1"));

        // 33 train/val images x 2 views, and one vector per variant; cross-validation still scores the 33 images
        assertThat(r.featuresComputed()).isEqualTo(33 * 2 + 33);
        assertThat(r.cv().images()).isEqualTo(33);
        assertThat(r.cv().best().macroF1()).isGreaterThan(r.cv().majority().macroF1());
        assertThat(tmp.resolve("m1/metadata.json"))
                .content()
                .contains("\"synthetic_per_image\" : 1")
                .contains("\"synthetic_images\" : 33")
                .contains("\"synthetic_recipe\" : \"v1/seed=42\"");
        // asking for more variants than were made names the shortfall and the command that makes them
        CosmicConfig two = config(lake.root(), 2);
        assertThatThrownBy(() -> new TrainJob(JobContext.of(spark, lake, two)).run(tmp.resolve("m2")))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("33 of the 33 train/val images have fewer than 2 synthetic variants")
                .hasMessageContaining("recipe v1/seed=42");
    }
}

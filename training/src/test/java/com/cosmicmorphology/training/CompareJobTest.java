package com.cosmicmorphology.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.BackboneKind;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.training.compare.CompareJob;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code compare}: every backbone through train's own recipe, one row each, on real photographs at 96 px. */
class CompareJobTest {
    @TempDir
    Path tmp;

    private final SparkSession spark = SharedSpark.get();

    private static CosmicConfig config(String root, BackboneKind kind) {
        Map<String, String> all = new HashMap<>(Map.of(
                "training.input-size", Integer.toString(TrainingTest.SIZE),
                "training.feature-views", "2",
                "training.epochs", "30",
                "training.keras-model", TrainingTest.KERAS,
                "inputs.policy", "center-crop",
                "training.backbone", kind.key(),
                "training.allow-random-weights", "true"));
        return SharedSpark.config(root, all);
    }

    @Test
    void everyBackboneGetsTrainsCrossValidationAndOneRow() throws Exception {
        LakeLayout lake = new LakeLayout(tmp.resolve("lake").toString());
        TrainingTest.writeLake(spark, lake, TrainingTest.CLASSES, true);
        JobContext ctx = JobContext.of(spark, lake, config(lake.root(), BackboneKind.KERAS_H5));

        CompareJob.Result r = new CompareJob(ctx, k -> config(lake.root(), k))
                .run(List.of(BackboneKind.KERAS_H5, BackboneKind.VIT_TINY));

        assertThat(r.entries())
                .extracting(CompareJob.Entry::kind)
                .containsExactly(BackboneKind.KERAS_H5, BackboneKind.VIT_TINY);
        CompareJob.Entry keras = r.entries().get(0);
        CompareJob.Entry vit = r.entries().get(1);
        assertThat(keras.pretrained()).isEqualTo("weights file");
        assertThat(vit.pretrained()).isEqualTo("random");
        // ViT-Ti/16 at 96 px without its classifier: patch embedding 147,648, class token and 37 positions 7,296,
        // 12 blocks of 444,864, final norm 384 (the token count changes only the position table)
        assertThat(vit.parameters()).isEqualTo(147_648L + 7_296 + 12 * 444_864L + 384);
        assertThat(vit.featureDim()).isEqualTo(192);
        assertThat(keras.featureDim()).isEqualTo(768); // block_10_expand_relu: average and max of 384 channels
        for (CompareJob.Entry e : r.entries()) {
            assertThat(e.cv().images()).isEqualTo(33);
            assertThat(e.featuresComputed()).isEqualTo(33 * 2);
            assertThat(e.inferenceImagesPerSecond()).isPositive();
            assertThat(e.cv().best().accuracy()).isBetween(0.0, 1.0);
        }
        // the pretrained features beat the majority class under the same folds
        assertThat(keras.cv().best().macroF1())
                .isGreaterThan(keras.cv().majority().macroF1());

        List<Row> rows = lake.read(spark, LakeTable.BACKBONE_COMPARISON)
                .orderBy("backbone")
                .collectAsList();
        assertThat(rows).extracting(x -> x.getString(x.fieldIndex("backbone"))).containsExactly("keras-h5", "vit-tiny");
        assertThat(rows)
                .extracting(x -> x.getString(x.fieldIndex("compare_id")))
                .containsOnly(r.compareId());
        assertThat(rows.get(1).getLong(rows.get(1).fieldIndex("parameters"))).isEqualTo(vit.parameters());
        assertThat(CompareJob.table(r)).contains("| vit-tiny | random | 5,493,696 | 96 | 192 |");

        // "the same way as train": train on the same lake and settings reuses the cached vectors and finds the
        // same cross-validated figures as compare's row
        TrainJob.Result trained = new TrainJob(ctx).run(tmp.resolve("model"));
        assertThat(trained.featuresComputed()).isZero();
        assertThat(trained.cv().best().accuracy()).isEqualTo(keras.cv().best().accuracy());
        assertThat(trained.cv().best().macroF1()).isEqualTo(keras.cv().best().macroF1());
        assertThat(trained.cv().best().epochs()).isEqualTo(keras.cv().best().epochs());
    }

    @Test
    void anUnknownBackboneIsRefusedWithTheValidOnesBeforeAnyWork() {
        Throwable[] thrown = new Throwable[1];
        CommandLine cl = new CommandLine(new TrainingCommands.Compare());
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            thrown[0] = ex;
            return 2;
        });
        int code = cl.execute(
                "--backbones",
                "keras-h5,resnet51",
                "--lake",
                tmp.resolve("none").toString());
        assertThat(code).isEqualTo(2);
        assertThat(thrown[0].getMessage())
                .contains("training.backbone: 'resnet51'")
                .contains("valid values")
                .contains("vit-tiny");
        assertThat(tmp.resolve("none")).doesNotExist();
    }
}

package com.cosmicmorphology.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.cli.Cosmic;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.training.model.Freshness;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.tables.DeltaTable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --skip-if-unchanged} and {@code evaluate --skip-if-unchanged} as the scheduled DAG runs them,
 * through the command line: the first run trains, a run over the same images skips in one line (also after
 * clean/split rewrote their tables with the same rows, which moves every Delta version), and a change to the
 * curated data trains again.
 */
class SkipIfUnchangedTest {
    static final String[] CLASSES = {"galaxy", "globular_cluster"};

    @TempDir
    Path tmp;

    private final SparkSession spark = SharedSpark.get();

    record Run(int code, String out, String err) {}

    @Test
    void trainsOnceSkipsWhileTheImagesAreTheSameAndTrainsAgainWhenTheyChange() throws Exception {
        LakeLayout lake = new LakeLayout(tmp.resolve("lake").toString());
        TrainingTest.writeLake(spark, lake, CLASSES, true);
        Path model = tmp.resolve("model");

        Run first = run(lake, model, "train");
        assertThat(first.out()).contains("train: model ").doesNotContain("skipped");
        Map<String, Object> trained = metadata(model);
        assertThat(trainedFrom(trained)).containsEntry("images", 22); // 2 classes x (8 train + 3 val)
        FileTime network = Files.getLastModifiedTime(model.resolve("head.zip"));

        Run second = run(lake, model, "train");
        assertThat(second.out().strip().lines()).as(second.out()).hasSize(1);
        assertThat(second.out())
                .startsWith("train: skipped: ")
                .contains(String.valueOf(trained.get("model_id")))
                .contains("22 train + val images");
        assertThat(Files.getLastModifiedTime(model.resolve("head.zip"))).isEqualTo(network);

        // what a daily clean + split does when nothing is new: the same rows rewritten, a new Delta version
        long before = version(lake, LakeTable.SPLITS);
        rewriteSplits(lake, col("included"));
        assertThat(version(lake, LakeTable.SPLITS)).isGreaterThan(before);
        assertThat(run(lake, model, "train").out()).startsWith("train: skipped: ");

        // evaluate: scores once, then skips while the model and the test images stay the same
        assertThat(run(lake, model, "evaluate").out()).contains("evaluate: model ");
        Run evaluatedAgain = run(lake, model, "evaluate");
        assertThat(evaluatedAgain.out()).startsWith("evaluate: skipped: ").contains("6 test images");

        // the curated data changes (cleaning now excludes one training image): train trains again, on 21
        rewriteSplits(
                lake,
                when(col("image_id").equalTo(firstTrainImage(lake)), lit(false)).otherwise(col("included")));
        assertThat(new Freshness(JobContext.of(spark, lake, smallTraining(lake, Map.of())))
                        .ofTraining(model)
                        .reason())
                .startsWith("the train + val images changed (22 -> 21 images) since model " + trained.get("model_id"));
        Run third = run(lake, model, "train");
        assertThat(third.out()).contains("train: model ").doesNotContain("skipped");
        assertThat(trainedFrom(metadata(model))).containsEntry("images", 21);
        // a new model clears the old one's evaluations: evaluate scores it
        assertThat(run(lake, model, "evaluate").out())
                .contains("evaluate: model ")
                .doesNotContain("skipped");

        // other settings are another model, even on the same images
        assertThat(new Freshness(JobContext.of(spark, lake, smallTraining(lake, Map.of())))
                        .ofTraining(model)
                        .current())
                .isTrue();
        Freshness.Verdict otherL2 = new Freshness(
                        JobContext.of(spark, lake, smallTraining(lake, Map.of("training.l2", "0.01"))))
                .ofTraining(model);
        assertThat(otherL2.current()).isFalse();
        assertThat(otherL2.reason()).contains("the training settings changed").doesNotContain("images changed");
        // so is training with synthetic variants (which the training section alone does not hold)
        Freshness.Verdict withVariants = new Freshness(
                        JobContext.of(spark, lake, smallTraining(lake, Map.of("synthetic.train-per-image", "1"))))
                .ofTraining(model);
        assertThat(withVariants.current()).isFalse();
        assertThat(withVariants.reason()).contains("the training settings changed");
    }

    @Test
    void aMissingModelIsTrained() throws Exception {
        LakeLayout lake = new LakeLayout(tmp.resolve("lake-empty-model").toString());
        TrainingTest.writeLake(spark, lake, CLASSES, true);
        Freshness.Verdict v = new Freshness(JobContext.of(spark, lake, smallTraining(lake, Map.of())))
                .ofTraining(tmp.resolve("nothing-here"));
        assertThat(v.current()).isFalse();
        assertThat(v.reason()).contains("no model in");
    }

    /** A small, fast training: tiny inputs, one view, few epochs, one head. */
    static final Map<String, String> SMALL = Map.of(
            "training.input-size",
            "96",
            "training.feature-views",
            "1",
            "training.epochs",
            "10",
            "training.head",
            "linear",
            "training.keras-model",
            TrainingTest.KERAS,
            "inputs.policy",
            "center-crop");

    private static com.cosmicmorphology.common.config.CosmicConfig smallTraining(
            LakeLayout lake, Map<String, String> extra) {
        Map<String, String> all = new java.util.HashMap<>(SMALL);
        all.putAll(extra);
        return SharedSpark.config(lake.root(), all);
    }

    /** The command as the DAG passes it, with the small training configuration. */
    private Run run(LakeLayout lake, Path model, String command) {
        List<String> args = new ArrayList<>(
                List.of(command, "--lake", lake.root(), "--model-dir", model.toString(), "--skip-if-unchanged"));
        SMALL.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        var cli = Cosmic.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        StringWriter out = new StringWriter(); // commands print through picocli's writers
        cli.setOut(new PrintWriter(out, true));
        int code = cli.execute(args.toArray(new String[0]));
        cli.getOut().flush();
        Run r = new Run(code, out.toString(), err.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return r;
    }

    /** splits rewritten (overwrite, as SplitJob does) with {@code included} computed by the given column. */
    private void rewriteSplits(LakeLayout lake, org.apache.spark.sql.Column included) {
        Dataset<Row> now = spark.read().format("delta").load(lake.location(LakeTable.SPLITS));
        List<Row> rows = now.withColumn("included", included).collectAsList();
        spark.createDataFrame(rows, now.schema())
                .write()
                .format("delta")
                .mode(SaveMode.Overwrite)
                .save(lake.location(LakeTable.SPLITS));
    }

    private String firstTrainImage(LakeLayout lake) {
        return spark.read()
                .format("delta")
                .load(lake.location(LakeTable.SPLITS))
                .where("split = 'train'")
                .orderBy("image_id")
                .first()
                .getString(0);
    }

    private long version(LakeLayout lake, LakeTable table) {
        return DeltaTable.forPath(spark, lake.location(table))
                .history(1)
                .first()
                .getAs("version");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Path model) throws Exception {
        return new ObjectMapper().readValue(model.resolve("metadata.json").toFile(), Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> trainedFrom(Map<String, Object> metadata) {
        return (Map<String, Object>) metadata.get("trained_from");
    }
}

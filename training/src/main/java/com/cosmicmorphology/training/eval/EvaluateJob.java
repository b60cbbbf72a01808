package com.cosmicmorphology.training.eval;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.TrainingData;
import com.cosmicmorphology.training.model.ModelStore;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * {@code ./cosmic evaluate}: scores a split (test by default) with a saved model, writes {@code metrics}
 * (MERGE by model, split, metric, class: re-evaluating replaces, never duplicates), and saves the confusion
 * matrix next to the model.
 */
public final class EvaluateJob {
    public static final StructType METRICS = LakeTable.METRICS.schema();

    /** The report and where the chart went. */
    public record Result(String modelId, Metrics.Report report, Path confusionPng, int images) {}

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig config;

    public EvaluateJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.config = ctx.config();
    }

    public Result run(Path modelDir, String split) {
        Scorer scorer = new Scorer(ModelStore.load(modelDir), config);
        List<String> classes = scorer.model().classes();
        List<LabelledImage> images = new TrainingData(spark, lake)
                .load(split, scorer.inputSize(), scorer.resizePolicy(), scorer.needsPixels(spark));
        int[] truth = new int[images.size()];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = classes.indexOf(images.get(i).label());
            if (truth[i] < 0) {
                throw new CosmicException(
                        ExitCode.USAGE,
                        "the " + split + " split has label '" + images.get(i).label()
                                + "' (" + images.get(i).imageId() + "), which model "
                                + scorer.model().modelId() + " does not know; its classes: "
                                + classes + ". Evaluate it on the lake it was trained on, or retrain");
            }
        }
        Metrics.Report report = Metrics.of(scorer.score(spark, lake, images), truth, classes);
        write(scorer.model().modelId(), split, report);
        Map<String, Object> figures = new java.util.LinkedHashMap<>();
        figures.put("images", images.size());
        // what evaluate --skip-if-unchanged compares with next time
        figures.put(com.cosmicmorphology.training.model.Freshness.EVALUATED_IMAGES, TrainingData.digest(images));
        figures.put("accuracy", report.accuracy());
        figures.put("macro_f1", report.macroF1());
        figures.put("macro_roc_auc", report.macroAuc());
        Map<String, Double> recall = new java.util.LinkedHashMap<>();
        report.classes().forEach(c -> recall.put(c.label(), c.recall()));
        figures.put("recall", recall);
        figures.put("evaluated_at", Instant.now().toString());
        ModelStore.recordEvaluation(modelDir, split, figures);
        Path png = chart(modelDir, split);
        try {
            // the figures in the title; the model id (long, one word) on the line under it, where it may wrap
            ConfusionChart.write(
                    report.confusion(),
                    classes,
                    String.format(
                            java.util.Locale.ROOT,
                            "Confusion matrix, %s split: accuracy %.3f, macro-F1 %.3f",
                            split,
                            report.accuracy(),
                            report.macroF1()),
                    "model " + scorer.model().modelId(),
                    png);
        } catch (IOException e) {
            throw new CosmicException(ExitCode.STORAGE, "cannot write " + png + ": " + e.getMessage(), e);
        }
        return new Result(scorer.model().modelId(), report, png, images.size());
    }

    /** Where the confusion chart of a split goes: beside the model. */
    public static Path chart(Path modelDir, String split) {
        return modelDir.resolve("confusion_" + split + ".png");
    }

    private void write(String modelId, String split, Metrics.Report report) {
        Timestamp now = Timestamp.from(Instant.now());
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, Double>> e : report.byClass().entrySet()) {
            e.getValue()
                    .forEach((metric, v) -> rows.add(
                            RowFactory.create(modelId, split, metric, e.getKey(), Double.isNaN(v) ? null : v, now)));
        }
        String path = lake.location(LakeTable.METRICS);
        lake.create(spark, LakeTable.METRICS);
        DeltaTable.forPath(spark, path)
                .as("t")
                .merge(
                        spark.createDataFrame(rows, METRICS).as("s"),
                        "t.model_id = s.model_id AND t.split = s.split "
                                + "AND t.metric = s.metric AND t.class <=> s.class")
                .whenMatched()
                .updateAll()
                .whenNotMatched()
                .insertAll()
                .execute();
    }
}

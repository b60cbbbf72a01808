package com.cosmicmorphology.training.compare;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.BackboneKind;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.config.TrainingMode;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.data.Batches;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.TrainingData;
import com.cosmicmorphology.training.features.FeatureStore;
import com.cosmicmorphology.training.selection.CrossValidation;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./cosmic compare}: every backbone through the same frozen-mode recipe {@code train} uses (features of
 * train + val from the feature cache, then the grouped k-fold cross-validation that chooses the head and its
 * epochs), on the same images, folds and seeds, one row each in {@code backbone_comparison}. Only the backbone
 * changes between rows; each row is appended as soon as its backbone is done, so a long comparison that fails
 * keeps what it finished (and a re-run finds the feature vectors already cached).
 */
public final class CompareJob {
    private static final Logger LOG = LoggerFactory.getLogger(CompareJob.class);
    /** Images timed for the inference rate (after one warm-up batch), in batches of {@link #BATCH}. */
    static final int TIMED_IMAGES = 64;

    static final int BATCH = 16;

    /** One backbone's row. */
    public record Entry(
            BackboneKind kind,
            String backboneId,
            String pretrained,
            long parameters,
            int inputSize,
            int featureDim,
            CrossValidation.Outcome cv,
            long featuresComputed,
            double featureSeconds,
            Double inferenceImagesPerSecond) {}

    /** The run's id and its rows, in the order compared. */
    public record Result(String compareId, List<Entry> entries) {}

    private final SparkSession spark;
    private final LakeLayout lake;
    private final Function<BackboneKind, CosmicConfig> configFor;

    /**
     * @param configFor the configuration a backbone runs under: the user's, with only {@code training.backbone}
     *     (and what the comparison must allow, such as random weights) changed
     */
    public CompareJob(JobContext ctx, Function<BackboneKind, CosmicConfig> configFor) {
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.configFor = configFor;
    }

    public Result run(List<BackboneKind> backbones) {
        if (backbones.isEmpty()) {
            throw new CosmicException(ExitCode.USAGE, "compare needs at least one backbone");
        }
        String compareId =
                "compare-" + Instant.now().toString().replaceAll("[^0-9T]", "").substring(0, 18);
        List<Entry> entries = new ArrayList<>();
        for (BackboneKind kind : backbones) {
            Entry e;
            try {
                e = one(kind);
            } catch (CosmicException ex) {
                throw new CosmicException(
                        ex.exitCode(),
                        "compare: backbone " + kind.key() + ": " + ex.getMessage() + finished(entries, compareId),
                        ex);
            }
            entries.add(e);
            append(compareId, e);
            LOG.info(
                    "compare: {} done: CV accuracy {} macro-F1 {}",
                    kind.key(),
                    String.format("%.3f", e.cv().best().accuracy()),
                    String.format("%.3f", e.cv().best().macroF1()));
        }
        return new Result(compareId, entries);
    }

    private static String finished(List<Entry> entries, String compareId) {
        return entries.isEmpty()
                ? ""
                : " (the rows of " + entries.stream().map(e -> e.kind().key()).toList()
                        + " are in backbone_comparison under " + compareId + ")";
    }

    private Entry one(BackboneKind kind) {
        CosmicConfig config = configFor.apply(kind);
        CosmicConfig.Training t = config.training();
        if (t.mode() != TrainingMode.FROZEN) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "compare scores backbones as frozen feature extractors under cross-validation; training.mode="
                            + t.mode().key() + " is not compared: run with --set training.mode=frozen");
        }
        String policy = config.inputs().policy().key();
        boolean pixels = !FeatureStore.runsOnExecutors(spark, t);
        TrainingData data = new TrainingData(spark, lake);
        List<LabelledImage> pool = new ArrayList<>(data.load("train", t.inputSize(), policy, pixels));
        pool.addAll(data.load("val", t.inputSize(), policy, pixels));
        List<String> classes = new ArrayList<>(
                new TreeSet<>(pool.stream().map(LabelledImage::label).toList()));
        if (classes.size() < 2) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    "the train and val splits have " + classes.size() + " class; a comparison needs at least 2");
        }
        Backbone backbone = Backbones.create(t);
        FeatureStore store = FeatureStore.of(spark, lake, backbone, t, policy);
        long f0 = System.nanoTime();
        // a missing or short features_synthetic fails before any backbone pass
        var variants = com.cosmicmorphology.training.data.SyntheticVariants.of(spark, lake, config, pool, pixels);
        Map<String, float[][]> feats = store.features(pool, t.featureViews());
        double featureSeconds = (System.nanoTime() - f0) / 1e9;
        List<float[][]> x = pool.stream().map(i -> feats.get(i.contentSha256())).toList();
        int[] y = pool.stream().mapToInt(i -> classes.indexOf(i.label())).toArray();
        List<float[][]> synthetic = com.cosmicmorphology.training.data.SyntheticVariants.features(store, variants);
        CrossValidation.Outcome cv = new CrossValidation(
                        spark, t.cvFolds(), t.seed(), t.epochs(), com.cosmicmorphology.training.TrainJob.CV_EVERY)
                .run(
                        x,
                        synthetic,
                        y,
                        pool.stream().map(LabelledImage::groupId).toList(),
                        classes,
                        com.cosmicmorphology.training.TrainJob.candidates(t));
        Object pretrained = backbone.describe().get("pretrained");
        return new Entry(
                kind,
                backbone.id(),
                pretrained == null ? "weights file" : pretrained.toString(),
                backbone.graph().numParams(),
                backbone.inputSize(),
                x.get(0)[0].length,
                cv,
                store.computed(),
                featureSeconds,
                pixels ? inferenceRate(backbone, pool) : null);
    }

    /**
     * Images a second through the backbone, measured apart from the feature phase (whose vectors may come from
     * the cache): one warm-up batch, then {@link #TIMED_IMAGES} of the pool's images in batches of
     * {@link #BATCH}, on this JVM's threads. Local runs only: on a cluster the driver runs no backbone pass.
     */
    static double inferenceRate(Backbone backbone, List<LabelledImage> pool) {
        int size = backbone.inputSize();
        List<byte[]> px = new ArrayList<>();
        for (int i = 0; i < TIMED_IMAGES + BATCH; i++) {
            px.add(pool.get(i % pool.size()).pixels());
        }
        INDArray warm = Batches.nhwc(px.subList(0, BATCH), size);
        backbone.features(warm);
        List<INDArray> batches = new ArrayList<>();
        for (int s = BATCH; s < px.size(); s += BATCH) {
            batches.add(Batches.nhwc(px.subList(s, s + BATCH), size));
        }
        long t0 = System.nanoTime();
        for (INDArray b : batches) {
            backbone.features(b);
        }
        return TIMED_IMAGES / ((System.nanoTime() - t0) / 1e9);
    }

    private void append(String compareId, Entry e) {
        CrossValidation.Estimate best = e.cv().best();
        Row row = RowFactory.create(
                compareId,
                e.kind().key(),
                e.backboneId(),
                e.pretrained(),
                e.parameters(),
                e.inputSize(),
                e.featureDim(),
                e.cv().images(),
                e.cv().folds(),
                best.name(),
                best.epochs(),
                best.accuracy(),
                best.accuracySpread(),
                best.macroF1(),
                best.macroF1Spread(),
                e.featuresComputed(),
                e.featureSeconds(),
                e.cv().seconds(),
                e.inferenceImagesPerSecond(),
                Timestamp.from(Instant.now()));
        lake.create(spark, LakeTable.BACKBONE_COMPARISON);
        spark.createDataFrame(List.of(row), LakeTable.BACKBONE_COMPARISON.schema())
                .write()
                .format("delta")
                .mode(SaveMode.Append)
                .save(lake.location(LakeTable.BACKBONE_COMPARISON));
    }

    /** The comparison as a Markdown table (what the command prints and docs/quality.md carries). */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("| backbone | pretrained | parameters | input | features | head | CV accuracy | CV macro-F1 "
                + "| feature s (computed) | CV s | inference img/s |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Entry e : r.entries()) {
            CrossValidation.Estimate b = e.cv().best();
            sb.append(String.format(
                    "| %s | %s | %,d | %d | %d | %s, %d epochs | %.3f ± %.3f | %.3f ± %.3f | %.0f (%d) | %.0f | %s |%n",
                    e.kind().key(),
                    e.pretrained(),
                    e.parameters(),
                    e.inputSize(),
                    e.featureDim(),
                    b.name(),
                    b.epochs(),
                    b.accuracy(),
                    b.accuracySpread(),
                    b.macroF1(),
                    b.macroF1Spread(),
                    e.featureSeconds(),
                    e.featuresComputed(),
                    e.cv().seconds(),
                    e.inferenceImagesPerSecond() == null
                            ? "n/a (cluster)"
                            : String.format("%.1f", e.inferenceImagesPerSecond())));
        }
        Entry first = r.entries().get(0);
        sb.append(String.format(
                "majority class, same folds: accuracy %.3f, macro-F1 %.3f; %d images, %d folds, seed %d%n",
                first.cv().majority().accuracy(),
                first.cv().majority().macroF1(),
                first.cv().images(),
                first.cv().folds(),
                first.cv().seed()));
        return sb.toString();
    }
}

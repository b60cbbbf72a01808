package com.cosmicmorphology.training.selection;

import static org.apache.spark.sql.functions.col;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.config.TrainingMode;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.TrainingData;
import com.cosmicmorphology.training.features.FeatureStore;
import com.cosmicmorphology.training.head.HeadKind;
import com.cosmicmorphology.training.head.HeadSpec;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./cosmic tune}: a seeded random search over head hyper-parameters, every trial cross-validated the
 * way {@code train} does it (every (trial, fold) pair one Spark task over the cached features of train +
 * val), appended to {@code trials}: one row per trial and metric with its CV mean and spread over folds.
 * {@code train --tuned} then uses the best trial of the latest search.
 */
public final class TuneJob {
    private static final Logger LOG = LoggerFactory.getLogger(TuneJob.class);
    public static final StructType SCHEMA = LakeTable.TRIALS.schema();

    /** The search and its winner. */
    public record Result(String searchId, CrossValidation.Outcome outcome, Map<String, String> bestConfig) {}

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig config;

    public TuneJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.config = ctx.config();
    }

    public Result run(int trials, long seed) {
        CosmicConfig.Training t = config.training();
        if (t.mode() != TrainingMode.FROZEN) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "tune searches frozen-mode heads over cached features; " + "training.mode="
                            + t.mode().key() + " is not searched: run with --set training.mode=frozen");
        }
        TrainingData data = new TrainingData(spark, lake);
        String policy = config.inputs().policy().key();
        boolean pixels = !FeatureStore.runsOnExecutors(spark, t); // on a cluster the executors read them
        List<LabelledImage> pool = new ArrayList<>(data.load("train", t.inputSize(), policy, pixels));
        pool.addAll(data.load("val", t.inputSize(), policy, pixels));
        List<String> classes = new ArrayList<>(
                new TreeSet<>(pool.stream().map(LabelledImage::label).toList()));
        Backbone backbone = Backbones.create(t);
        FeatureStore store = FeatureStore.of(spark, lake, backbone, t, policy);
        // a missing or short features_synthetic fails before any backbone pass
        var variants = com.cosmicmorphology.training.data.SyntheticVariants.of(spark, lake, config, pool, pixels);
        Map<String, float[][]> feats = store.features(pool, t.featureViews());
        List<float[][]> x = pool.stream().map(i -> feats.get(i.contentSha256())).toList();
        int[] y = pool.stream().mapToInt(i -> classes.indexOf(i.label())).toArray();
        HeadSpec configured = HeadSpec.of(t, t.head().equals("mlp") ? HeadKind.MLP : HeadKind.LINEAR);
        List<HeadSpec> specs = SearchSpace.sample(configured, trials, seed);
        LOG.info("tune: {} trials x {} folds over {} images", specs.size(), t.cvFolds(), pool.size());
        List<float[][]> synthetic = com.cosmicmorphology.training.data.SyntheticVariants.features(store, variants);
        CrossValidation.Outcome o = new CrossValidation(spark, t.cvFolds(), t.seed(), t.epochs(), 5)
                .run(x, synthetic, y, pool.stream().map(LabelledImage::groupId).toList(), classes, specs);
        String searchId =
                "search-" + Instant.now().toString().replaceAll("[^0-9T]", "").substring(0, 15);
        Timestamp now = Timestamp.from(Instant.now());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < o.candidates().size(); i++) {
            CrossValidation.Estimate e = o.candidates().get(i);
            Map<String, String> conf = SearchSpace.configOf(e.spec());
            Map<String, String> m = conf; // Spark converts a java.util.Map for a MapType column
            String id = searchId + "-" + i;
            // one row per metric: (name, CV mean, spread over the folds)
            for (Object[] metric : List.of(
                    new Object[] {"accuracy", e.accuracy(), e.accuracySpread()},
                    new Object[] {"macro_f1", e.macroF1(), e.macroF1Spread()})) {
                rows.add(RowFactory.create(
                        id,
                        searchId,
                        m,
                        metric[0],
                        metric[1],
                        metric[2],
                        o.folds(),
                        e.taskSeconds(),
                        e.epochs(),
                        backbone.id(),
                        o.images(),
                        now));
            }
        }
        spark.createDataFrame(rows, SCHEMA)
                .write()
                .format("delta")
                .mode(SaveMode.Append)
                .save(lake.location(LakeTable.TRIALS));
        return new Result(searchId, o, SearchSpace.configOf(o.best().spec()));
    }

    /** The best trial (CV macro-F1, ties: accuracy) of the latest search, as config overrides for train. */
    public static Map<String, String> bestOfLatest(SparkSession spark, LakeLayout lake) {
        if (!lake.exists(spark, LakeTable.TRIALS)) {
            throw new CosmicException(ExitCode.MISSING_INPUT, "table 'trials' is missing; run './cosmic tune' first");
        }
        var trials = lake.read(spark, LakeTable.TRIALS);
        Row latest = trials.orderBy(col("created_at").desc(), col("search_id").desc())
                .select("search_id")
                .first();
        var f1 = trials.where(col("search_id").equalTo(latest.getString(0)));
        Row best = f1.where(col("metric").equalTo("macro_f1"))
                .as("f")
                .join(
                        f1.where(col("metric").equalTo("accuracy"))
                                .select(col("trial_id"), col("mean").as("acc")),
                        "trial_id")
                .orderBy(col("mean").desc(), col("acc").desc(), col("trial_id"))
                .first();
        Map<String, String> out = new LinkedHashMap<>(best.getJavaMap(best.fieldIndex("config")));
        LOG.info(
                "using trial {} of {}: {} (CV macro-F1 {})",
                best.getString(best.fieldIndex("trial_id")),
                latest.getString(0),
                out,
                String.format("%.3f", best.getDouble(best.fieldIndex("mean"))));
        return out;
    }
}

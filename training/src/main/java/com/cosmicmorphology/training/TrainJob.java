package com.cosmicmorphology.training;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.config.TrainingMode;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.SyntheticVariants;
import com.cosmicmorphology.training.data.TrainingData;
import com.cosmicmorphology.training.distributed.SparkFineTuneTrainer;
import com.cosmicmorphology.training.distributed.SparkHeadTrainer;
import com.cosmicmorphology.training.eval.Metrics;
import com.cosmicmorphology.training.features.FeatureStore;
import com.cosmicmorphology.training.head.FineTuneTrainer;
import com.cosmicmorphology.training.head.HeadKind;
import com.cosmicmorphology.training.head.HeadSpec;
import com.cosmicmorphology.training.head.HeadTrainer;
import com.cosmicmorphology.training.head.Standardiser;
import com.cosmicmorphology.training.model.ModelStore;
import com.cosmicmorphology.training.selection.CrossValidation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./cosmic train}: transfer learning. Frozen mode: features of every train/val image (all its
 * dihedral views) come from the feature cache, computed once; grouped k-fold cross-validation over train + val
 * chooses the head and its epochs (with a linear and a majority-class baseline beside it), and the chosen head
 * is refitted on all of train + val. Fine-tune mode: the backbone from {@code training.unfreeze-from} on trains
 * with a new head on augmented pixels, stopping early on the val split. Either trains on the Spark executors
 * with dl4j-spark where {@link SparkHeadTrainer#applies} (engine spark, or auto with a cluster master). The model directory gets the network
 * and its metadata (the CV estimate included).
 */
public final class TrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    /** What training produced. */
    public record Result(
            String modelId,
            Path modelDir,
            Metrics.Report validation,
            CrossValidation.Outcome cv,
            long featuresComputed,
            int bestEpoch,
            double seconds) {}

    /** Epochs between two scorings of a held-out fold (the resolution of the epoch count CV chooses). */
    public static final int CV_EVERY = 5;

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig config;

    public TrainJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.config = ctx.config();
    }

    public Result run(Path modelDir) {
        long t0 = System.nanoTime();
        CosmicConfig.Training t = config.training();
        TrainingData data = new TrainingData(spark, lake);
        String policy = config.inputs().policy().key();
        // on a cluster (either mode) the executors read the pixels themselves, the driver needs none
        boolean pixels = !FeatureStore.runsOnExecutors(spark, t);
        List<LabelledImage> train = data.load("train", t.inputSize(), policy, pixels);
        List<LabelledImage> val = data.load("val", t.inputSize(), policy, pixels);
        List<LabelledImage> pool = new ArrayList<>(train);
        pool.addAll(val);
        List<String> classes = new ArrayList<>(
                new TreeSet<>(pool.stream().map(LabelledImage::label).toList()));
        if (classes.size() < 2) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    "the train and val splits have " + classes.size() + " class; a classifier needs at least 2");
        }
        Backbone backbone = Backbones.create(t);
        FeatureStore store = FeatureStore.of(spark, lake, backbone, t, policy);
        String master = spark.sparkContext().master();
        boolean distributed = SparkHeadTrainer.applies(t.distributed(), master);
        Outcome outcome = t.mode() == TrainingMode.FROZEN
                ? frozen(t, store, pool, classes, distributed, pixels)
                : fineTuned(t, backbone, train, val, classes, distributed, policy);

        String modelId = com.cosmicmorphology.training.model.ModelIds.JVM.next(backbone.id());
        Map<String, Object> meta = new ModelMetadata(config, lake)
                .of(modelId, classes, backbone, policy, outcome, master, data.versions(), pool);
        ModelStore.save(modelDir, outcome.net(), meta);
        double s = (System.nanoTime() - t0) / 1e9;
        LOG.info("model {} saved to {} in {} s", modelId, modelDir, String.format("%.0f", s));
        return new Result(
                modelId, modelDir, outcome.validation(), outcome.cv(), store.computed(), outcome.bestEpoch(), s);
    }

    /**
     * Frozen mode: cross-validation over train + val picks the head and its epochs, then the head is refitted
     * on all of train + val (the test split stays untouched for {@code evaluate}).
     */
    private Outcome frozen(
            CosmicConfig.Training t,
            FeatureStore store,
            List<LabelledImage> pool,
            List<String> classes,
            boolean distributed,
            boolean pixels) {
        // the variants are looked up first: a missing or short features_synthetic fails before any backbone pass
        List<List<LabelledImage>> variants = SyntheticVariants.of(spark, lake, config, pool, pixels);
        Map<String, float[][]> feats = store.features(pool, t.featureViews());
        List<float[][]> x = views(pool, feats);
        int[] y = labels(pool, classes);
        List<HeadSpec> candidates = candidates(t);
        List<float[][]> synthetic = SyntheticVariants.features(store, variants);
        CrossValidation.Outcome cv = new CrossValidation(spark, t.cvFolds(), t.seed(), t.epochs(), CV_EVERY)
                .run(x, synthetic, y, pool.stream().map(LabelledImage::groupId).toList(), classes, candidates);
        // the refit trains on every image's real views and its variants, as each training fold did
        x = SyntheticVariants.withVariants(x, synthetic);
        HeadSpec spec = cv.best().spec();
        int epochs = cv.best().epochs();
        Map<String, Object> hp = new LinkedHashMap<>(spec.describe());
        hp.put("epochs", epochs);
        hp.put("epochs_chosen_by", t.cvFolds() + "-fold cross-validation");
        hp.put("synthetic_per_image", config.synthetic().trainPerImage());
        if (config.synthetic().trainPerImage() > 0) {
            hp.put(
                    "synthetic_recipe",
                    com.cosmicmorphology.common.image.SyntheticRecipe.of(
                            config.synthetic().seed()));
        }
        Map<String, Object> used = Map.of(
                "train_images",
                pool.size(),
                "synthetic_images",
                synthetic.stream().mapToInt(v -> v.length).sum(),
                "trained_on_splits",
                List.of("train", "val"));
        if (distributed) {
            SparkHeadTrainer.Trained spread = new SparkHeadTrainer(spark, t).fit(spec, x, y, classes, epochs);
            return new Outcome(
                    spread.head().net(),
                    spread.head().standardiser(),
                    cv.best().pooled(),
                    cv,
                    epochs,
                    hp,
                    used,
                    spread.workers());
        }
        HeadTrainer.Fitted f =
                new HeadTrainer(spec, epochs, epochs).fit(x, y, classes.size(), epochs, (e, sec, n, st) -> false);
        LOG.info("head {} refitted on {} images (train + val) for {} epochs", spec.label(), pool.size(), epochs);
        return new Outcome(f.net(), f.standardiser(), cv.best().pooled(), cv, epochs, hp, used, 0);
    }

    /** The heads cross-validation compares: {@code training.head}, or both kinds when it is auto. */
    public static List<HeadSpec> candidates(CosmicConfig.Training t) {
        return switch (t.head()) {
            case "linear" -> List.of(HeadSpec.of(t, HeadKind.LINEAR));
            case "mlp" -> List.of(HeadSpec.of(t, HeadKind.MLP));
            default -> List.of(HeadSpec.of(t, HeadKind.LINEAR), HeadSpec.of(t, HeadKind.MLP));
        };
    }

    /** Fine-tune mode: backbone layers and head on augmented pixels, early stopping on the val split. */
    private Outcome fineTuned(
            CosmicConfig.Training t,
            Backbone backbone,
            List<LabelledImage> train,
            List<LabelledImage> val,
            List<String> classes,
            boolean distributed,
            String policy) {
        // synthetic variants of the train split's images join it (never the val split's: val stops training)
        List<LabelledImage> trainPlus = new ArrayList<>(train);
        SyntheticVariants.of(spark, lake, config, train, t.inputSize(), policy, !distributed)
                .forEach(trainPlus::addAll);
        int[] y = labels(trainPlus, classes);
        float[] weights = HeadTrainer.classWeights(y, classes.size(), t.classWeights());
        FineTuneTrainer.Trained tuned;
        int workers = 0;
        if (distributed) {
            SparkFineTuneTrainer.Trained spread = new SparkFineTuneTrainer(spark, lake, t, policy)
                    .train(backbone, trainPlus, y, val, labels(val, classes), classes, weights);
            tuned = new FineTuneTrainer.Trained(
                    spread.net(), spread.bestEpoch(), spread.epochsRun(), spread.validation());
            workers = spread.workers();
        } else {
            tuned = new FineTuneTrainer(t).train(backbone, trainPlus, y, val, labels(val, classes), classes, weights);
        }
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("epochs_max", t.epochs());
        hp.put("epochs_run", tuned.epochsRun());
        hp.put("best_epoch", tuned.bestEpoch());
        hp.put("batch_size", t.batchSize());
        hp.put("learning_rate", t.learningRate());
        hp.put("l2", t.l2());
        hp.put("patience", t.patience());
        hp.put("class_weights", t.classWeights());
        hp.put("synthetic_per_image", config.synthetic().trainPerImage());
        hp.put("seed", t.seed());
        Map<String, Object> used = Map.of(
                "train_images",
                train.size(),
                "synthetic_images",
                trainPlus.size() - train.size(),
                "val_images",
                val.size(),
                "trained_on_splits",
                List.of("train"));
        return new Outcome(tuned.net(), null, tuned.validation(), null, tuned.bestEpoch(), hp, used, workers);
    }

    /** What either mode produced: the network, how it was chosen and on what. */
    record Outcome(
            org.deeplearning4j.nn.api.Model net,
            Standardiser standardiser,
            Metrics.Report validation,
            CrossValidation.Outcome cv,
            int bestEpoch,
            Map<String, Object> hyperParameters,
            Map<String, Object> imagesUsed,
            int workers) {}

    static List<float[][]> views(List<LabelledImage> images, Map<String, float[][]> feats) {
        return images.stream().map(i -> feats.get(i.contentSha256())).toList();
    }

    static int[] labels(List<LabelledImage> images, List<String> classes) {
        return images.stream()
                .mapToInt(i -> {
                    int c = classes.indexOf(i.label());
                    if (c < 0) {
                        throw new CosmicException(
                                ExitCode.USAGE,
                                "image " + i.imageId() + " has label '" + i.label()
                                        + "', which is not among the model's classes " + classes
                                        + "; retrain on these splits");
                    }
                    return c;
                })
                .toArray();
    }
}

package com.cosmicmorphology.training;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.TrainingData;
import com.cosmicmorphology.training.distributed.SparkHeadTrainer;
import com.cosmicmorphology.training.eval.Metrics;
import com.cosmicmorphology.training.features.FeatureStore;
import com.cosmicmorphology.training.head.FineTuneTrainer;
import com.cosmicmorphology.training.head.HeadTrainer;
import com.cosmicmorphology.training.model.ModelStore;
import java.nio.file.Path;
import java.time.Instant;
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
 * dihedral views) come from the feature cache, computed once, and a head is trained on them. Fine-tune mode:
 * the backbone from {@code training.unfreeze-from} on trains with a new head on augmented pixels. Both stop
 * early on the validation split; the model directory gets the network and its metadata.
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  /** What training produced. */
  public record Result(String modelId, Path modelDir, Metrics.Report validation, long featuresComputed,
      int bestEpoch, double seconds) {}

  private final SparkSession spark;
  private final LakeLayout lake;
  private final CosmicConfig config;

  public TrainJob(SparkSession spark, LakeLayout lake, CosmicConfig config) {
    this.spark = spark;
    this.lake = lake;
    this.config = config;
  }

  public Result run(Path modelDir) {
    long t0 = System.nanoTime();
    CosmicConfig.Training t = config.training();
    TrainingData data = new TrainingData(spark, lake);
    String policy = config.inputs().policy().key();
    List<LabelledImage> train = data.load("train", t.inputSize(), policy);
    List<LabelledImage> val = data.load("val", t.inputSize(), policy);
    List<String> classes = new ArrayList<>(new TreeSet<>(train.stream().map(LabelledImage::label).toList()));
    if (classes.size() < 2) {
      throw new CosmicException(ExitCode.MISSING_INPUT, "the train split has " + classes.size()
          + " class; a classifier needs at least 2");
    }
    Backbone backbone = Backbones.create(t);
    FeatureStore store = new FeatureStore(spark, lake, backbone);
    HeadTrainer.Trained head = null;
    FineTuneTrainer.Trained tuned = null;
    String master = spark.sparkContext().master();
    boolean distributed = SparkHeadTrainer.applies(t.distributed(), master);
    SparkHeadTrainer.Trained spread = null;
    if (distributed && !t.mode().equals("frozen")) {
      if (t.distributed().engine().equals("spark")) {
        throw new CosmicException(ExitCode.USAGE, "training.distributed.engine=spark trains the frozen-mode head on "
            + "cached features; training.mode=" + t.mode() + " runs in one JVM: set training.mode=frozen or "
            + "training.distributed.engine=local");
      }
      LOG.info("training.mode={} runs in the driver JVM (distributed training covers the frozen-mode head)", t.mode());
      distributed = false;
    }
    if (t.mode().equals("frozen")) {
      List<LabelledImage> all = new ArrayList<>(train);
      all.addAll(val);
      Map<String, float[][]> feats = store.features(all, t.featureViews());
      if (distributed) {
        spread = new SparkHeadTrainer(spark, t).train(views(train, feats), labels(train, classes), views(val, feats),
            labels(val, classes), classes);
        head = spread.head();
      } else {
        head = new HeadTrainer(t).train(views(train, feats), labels(train, classes), views(val, feats),
            labels(val, classes), classes);
      }
    } else {
      int[] y = labels(train, classes);
      tuned = new FineTuneTrainer(t).train(backbone, train, y, val, labels(val, classes), classes,
          HeadTrainer.classWeights(y, classes.size(), t.classWeights()));
    }
    Metrics.Report validation = head != null ? head.validation() : tuned.validation();
    int bestEpoch = head != null ? head.bestEpoch() : tuned.bestEpoch();

    String modelId = backbone.id() + "-" + Instant.now().toString().replaceAll("[^0-9T]", "").substring(0, 15);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("model_id", modelId);
    meta.put("classes", classes);
    meta.put("backbone", backbone.describe());
    meta.put("backbone_id", backbone.id());
    meta.put("input_size", t.inputSize());
    meta.put("resize_policy", policy);
    meta.put("normalisation", "pixel/255");
    meta.put("mode", t.mode());
    if (tuned != null) {
      meta.put("unfreeze_from", t.unfreezeFrom());
      meta.put("augmentation", "random dihedral view (rotations by 90 degrees, flips) per image and epoch");
    }
    meta.put("feature_views", t.featureViews());
    Map<String, Object> where = new LinkedHashMap<>();
    where.put("engine", spread != null ? "spark" : "local");
    where.put("spark_master", master);
    if (spread != null) {
      where.put("training_master", t.distributed().trainingMaster());
      where.put("workers", spread.workers());
      if (t.distributed().trainingMaster().equals("parameter-averaging")) {
        where.put("averaging_frequency", t.distributed().averagingFrequency());
      }
    }
    meta.put("training_engine", where);
    Map<String, Object> hp = new LinkedHashMap<>();
    hp.put("epochs_max", t.epochs());
    hp.put("epochs_run", head != null ? head.epochsRun() : tuned.epochsRun());
    hp.put("best_epoch", bestEpoch);
    hp.put("batch_size", t.batchSize());
    hp.put("learning_rate", t.learningRate());
    hp.put("hidden", t.hidden());
    hp.put("dropout", t.dropout());
    hp.put("l2", t.l2());
    hp.put("patience", t.patience());
    hp.put("class_weights", t.classWeights());
    hp.put("seed", t.seed());
    meta.put("hyper_parameters", hp);
    if (head != null) {
      meta.put("standardiser_mean", head.standardiser().mean());
      meta.put("standardiser_std", head.standardiser().std());
    }
    meta.put("table_versions", data.versions());
    meta.put("lake", lake.root());
    meta.put("train_images", train.size());
    meta.put("val_images", val.size());
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("accuracy", validation.accuracy());
    vm.put("macro_f1", validation.macroF1());
    vm.put("macro_roc_auc", validation.macroAuc());
    meta.put("validation_metrics", vm);
    meta.put("trained_at", Instant.now().toString());
    ModelStore.save(modelDir, head != null ? head.net() : tuned.net(), meta);
    double s = (System.nanoTime() - t0) / 1e9;
    LOG.info("model {} saved to {} in {} s", modelId, modelDir, String.format("%.0f", s));
    return new Result(modelId, modelDir, validation, store.computed(), bestEpoch, s);
  }

  static List<float[][]> views(List<LabelledImage> images, Map<String, float[][]> feats) {
    return images.stream().map(i -> feats.get(i.contentSha256())).toList();
  }

  static int[] labels(List<LabelledImage> images, List<String> classes) {
    return images.stream().mapToInt(i -> {
      int c = classes.indexOf(i.label());
      if (c < 0) {
        throw new CosmicException(ExitCode.USAGE, "image " + i.imageId() + " has label '" + i.label()
            + "', which is not among the model's classes " + classes + "; retrain on these splits");
      }
      return c;
    }).toArray();
  }
}

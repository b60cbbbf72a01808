package com.cosmicmorphology.training.eval;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.features.FeatureStore;
import com.cosmicmorphology.training.head.HeadTrainer;
import com.cosmicmorphology.training.head.Standardiser;
import com.cosmicmorphology.training.model.ModelStore;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * A saved model ready to score: rebuilds the backbone the metadata names and checks it is the same one
 * (same id; for .h5 files the same SHA-256), then scores images: class probabilities averaged over views.
 */
public final class Scorer {
    private final ModelStore.Loaded model;
    private final Backbone backbone;
    private final Standardiser standardiser;
    private final int views;
    private final CosmicConfig.Training trainedAs;
    private final com.cosmicmorphology.common.image.DecodeLimits decodeLimits;

    public Scorer(ModelStore.Loaded model, CosmicConfig config) {
        this.model = model;
        this.decodeLimits = com.cosmicmorphology.common.image.DecodeLimits.of(config);
        Map<String, Object> b = model.backbone();
        CosmicConfig.Training t = config.training();
        String type = (String) b.get("type");
        int size = ((Number) model.metadata().get("input_size")).intValue();
        if (type.equals("keras-h5")) {
            // the file metadata.json names is hashed before it is parsed: a file other than the one trained on is not
            // handed to the HDF5 reader at all
            java.nio.file.Path h5 = java.nio.file.Path.of((String) b.get("file"));
            String sha = java.nio.file.Files.isRegularFile(h5)
                    ? com.cosmicmorphology.training.backbone.FileSha256.of(h5)
                    : null;
            if (sha != null && !sha.equals(b.get("sha256"))) {
                throw new CosmicException(
                        ExitCode.USAGE,
                        "model " + model.modelId() + " was trained on backbone " + h5
                                + " with SHA-256 " + b.get("sha256") + ", but that file now has SHA-256 " + sha
                                + "; use the model's "
                                + "backbone file or retrain");
            }
        }
        com.cosmicmorphology.common.config.BackboneKind kind =
                com.cosmicmorphology.common.config.BackboneKind.parse(type);
        CosmicConfig.Training asTrained = new CosmicConfig.Training(
                kind,
                kind == com.cosmicmorphology.common.config.BackboneKind.KERAS_H5
                        ? (String) b.get("file")
                        : t.kerasModel(),
                t.weightsDir(),
                t.allowRandomWeights(),
                b.get("variant") == null ? t.resnetVariant() : (String) b.get("variant"),
                t.mode(),
                size,
                t.unfreezeFrom(),
                t.featureViews(),
                t.epochs(),
                t.batchSize(),
                t.learningRate(),
                t.hidden(),
                t.dropout(),
                t.l2(),
                t.patience(),
                t.classWeights(),
                t.seed(),
                t.head(),
                t.cvFolds(),
                featureLayers(model, t),
                t.modelDir(),
                t.distributed());
        this.backbone = Backbones.create(asTrained);
        this.trainedAs = asTrained;
        String expectedId = (String) model.metadata().get("backbone_id");
        if (!backbone.id().equals(expectedId)
                || (b.get("sha256") != null
                        && !b.get("sha256").equals(backbone.describe().get("sha256")))) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "model " + model.modelId() + " was trained on backbone " + expectedId
                            + " " + b + ", but " + backbone.id() + " " + backbone.describe()
                            + " is what loads here; use the model's "
                            + "backbone file or retrain");
        }
        this.standardiser = model.fineTuned()
                ? null
                : new Standardiser(model.floats("standardiser_mean"), model.floats("standardiser_std"));
        this.views = ((Number) model.metadata().get("feature_views")).intValue();
    }

    /** The feature recipe the model was trained on (older models: the backbone's output). */
    @SuppressWarnings("unchecked")
    private static List<String> featureLayers(ModelStore.Loaded model, CosmicConfig.Training t) {
        Object f = model.backbone().get("feature_layers");
        return f == null ? List.of() : (List<String>) f;
    }

    public ModelStore.Loaded model() {
        return model;
    }

    public int inputSize() {
        return backbone.inputSize();
    }

    public String resizePolicy() {
        return (String) model.metadata().get("resize_policy");
    }

    /** Scores lake images through the feature cache (shared with training). */
    /** The decode.* budget of the run that scores (every image this scorer is given is decoded under it). */
    public com.cosmicmorphology.common.image.DecodeLimits decodeLimits() {
        return decodeLimits;
    }

    public double[][] score(SparkSession spark, LakeLayout lake, List<LabelledImage> images) {
        if (model.fineTuned() && FeatureStore.runsOnExecutors(spark, trainedAs)) {
            Map<String, double[]> p = fineTunedOnExecutors(spark, lake, images);
            List<String> missing = images.stream()
                    .filter(i -> !p.containsKey(i.contentSha256()))
                    .map(LabelledImage::imageId)
                    .limit(5)
                    .toList();
            if (!missing.isEmpty()) {
                throw new CosmicException(
                        ExitCode.MISSING_INPUT,
                        "the executors could not score " + missing + " (no "
                                + "features_inputs row at " + inputSize() + " px / " + resizePolicy()
                                + " and the image bytes do not "
                                + "decode); run './cosmic prepare --size " + inputSize()
                                + "' and see the quarantine table");
            }
            return images.stream().map(i -> p.get(i.contentSha256())).toArray(double[][]::new);
        }
        if (model.fineTuned()) {
            return scoreUncached(images.stream().map(LabelledImage::pixels).toList());
        }
        FeatureStore store = FeatureStore.of(spark, lake, backbone, trainedAs, resizePolicy())
                .decodeLimits(decodeLimits);
        Map<String, float[][]> f = store.features(images, views);
        return HeadTrainer.probabilities(
                model.net(),
                standardiser,
                images.stream().map(i -> f.get(i.contentSha256())).toList());
    }

    /** Whether {@link #score} needs the images' pixels in this JVM (not when the executors compute features). */
    public boolean needsPixels(SparkSession spark) {
        return !FeatureStore.runsOnExecutors(spark, trainedAs);
    }

    /** A fine-tuned model's probabilities by content hash, scored on the executors (undecodable ones absent). */
    private Map<String, double[]> fineTunedOnExecutors(
            SparkSession spark, LakeLayout lake, List<LabelledImage> images) {
        return FineTunedOnExecutors.score(
                spark,
                lake,
                model.modelId(),
                model.graph(),
                backbone.inputLayout() == org.deeplearning4j.nn.conf.CNN2DFormat.NCHW,
                inputSize(),
                resizePolicy(),
                views,
                images.stream().map(LabelledImage::contentSha256).distinct().toList(),
                decodeLimits);
    }

    /** What {@link #scoreOnExecutors} could score, and the images it could not (with why). */
    public record Scored(List<String> imageIds, double[][] probabilities, Map<String, String> failed) {}

    /**
     * On a cluster, scores lake images by content hash alone: their features are computed on the executors
     * (from model inputs, or the images' bytes decoded there), or, for a fine-tuned model, its whole network
     * scores them there; no image bytes come to the driver. Null when this session runs in local mode: use
     * {@link #score}.
     */
    public Scored scoreOnExecutors(SparkSession spark, LakeLayout lake, List<LabelledImage> images) {
        if (needsPixels(spark)) {
            return null;
        }
        if (model.fineTuned()) {
            Map<String, double[]> p = fineTunedOnExecutors(spark, lake, images);
            List<LabelledImage> scored = images.stream()
                    .filter(i -> p.containsKey(i.contentSha256()))
                    .toList();
            Map<String, String> failed = new java.util.LinkedHashMap<>();
            images.stream()
                    .filter(i -> !p.containsKey(i.contentSha256()))
                    .forEach(i -> failed.put(i.imageId(), "not a decodable image (not scored on the executors)"));
            return new Scored(
                    scored.stream().map(LabelledImage::imageId).toList(),
                    scored.stream().map(i -> p.get(i.contentSha256())).toArray(double[][]::new),
                    failed);
        }
        Map<String, float[][]> f = FeatureStore.of(spark, lake, backbone, trainedAs, resizePolicy())
                .decodeLimits(decodeLimits)
                .partial()
                .features(images, views);
        List<LabelledImage> scored =
                images.stream().filter(i -> f.containsKey(i.contentSha256())).toList();
        Map<String, String> failed = new java.util.LinkedHashMap<>();
        images.stream()
                .filter(i -> !f.containsKey(i.contentSha256()))
                .forEach(i -> failed.put(i.imageId(), "not a decodable image (no features computed on the executors)"));
        return new Scored(
                scored.stream().map(LabelledImage::imageId).toList(),
                HeadTrainer.probabilities(
                        model.net(),
                        standardiser,
                        scored.stream().map(i -> f.get(i.contentSha256())).toList()),
                failed);
    }

    /** Scores images that are not in the lake (a folder): features computed in memory, not cached. */
    public double[][] scoreUncached(List<byte[]> pixels) {
        if (model.fineTuned()) {
            return com.cosmicmorphology.training.head.FineTuneTrainer.probabilities(
                    model.graph(), backbone::toInput, backbone.inputSize(), pixels, views);
        }
        double[][] out = new double[pixels.size()][];
        for (int i = 0; i < pixels.size(); i++) {
            float[][] fv = new float[views][];
            for (int v = 0; v < views; v++) {
                byte[] px = com.cosmicmorphology.training.data.Views.view(pixels.get(i), backbone.inputSize(), v);
                fv[v] = backbone.features(
                                com.cosmicmorphology.training.data.Batches.nhwc(List.of(px), backbone.inputSize()))
                        .getRow(0)
                        .toFloatVector();
            }
            out[i] = HeadTrainer.probabilities(model.net(), standardiser, List.<float[][]>of(fv))[0];
        }
        return out;
    }
}

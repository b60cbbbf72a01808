package com.cosmicmorphology.training.model;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.TrainingData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * Whether a model directory already holds what {@code train} or {@code evaluate} would produce now
 * ({@code --skip-if-unchanged}, for scheduled runs). Reads the metadata and the lake's splits, curated images and
 * model-input rows (ids, labels, groups, hashes: never pixels, and no backbone is built), so a run with nothing
 * new costs one small Spark job instead of a training.
 */
public final class Freshness {
    /** The key of an evaluation's image digest in metadata.json's {@code evaluations.<split>}. */
    public static final String EVALUATED_IMAGES = "images_sha256";

    /** The answer and its reason, one line for the log. */
    public record Verdict(boolean current, String reason) {}

    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig config;

    public Freshness(JobContext ctx) {
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.config = ctx.config();
    }

    /** Current when the model records the same train + val images and the same settings a training would use now. */
    public Verdict ofTraining(Path modelDir) {
        Optional<Map<String, Object>> meta = ModelStore.metadata(modelDir);
        if (meta.isEmpty()) {
            return new Verdict(false, "no model in " + modelDir + " yet");
        }
        String id = String.valueOf(meta.get().get("model_id"));
        Optional<TrainedFrom> recorded = TrainedFrom.recorded(meta.get());
        if (recorded.isEmpty()) {
            return new Verdict(
                    false,
                    "model " + id + " does not record what it was trained from (trained before "
                            + "--skip-if-unchanged existed)");
        }
        // where the metadata was read from: the directory, or the previous model an interrupted save kept
        Path from = ModelDirSwap.readable(modelDir, ModelStore.METADATA_FILE);
        if (!Files.isRegularFile(
                from.resolve(String.valueOf(meta.get().getOrDefault("model_file", ModelStore.MODEL_FILE))))) {
            return new Verdict(false, "model " + id + " lacks its network file in " + modelDir);
        }
        CosmicConfig.Training t = config.training();
        String policy = config.inputs().policy().key();
        TrainingData data = new TrainingData(spark, lake);
        List<LabelledImage> pool = new ArrayList<>(data.load("train", t.inputSize(), policy, false));
        pool.addAll(data.load("val", t.inputSize(), policy, false));
        TrainedFrom now = TrainedFrom.of(pool, config);
        List<String> changes = now.changesSince(recorded.get());
        return changes.isEmpty()
                ? new Verdict(
                        true,
                        "model " + id + " in " + modelDir + " was trained on these " + now.images()
                                + " train + val images with these settings; nothing changed")
                : new Verdict(false, String.join("; ", changes) + " since model " + id);
    }

    /**
     * Current when the model's metadata holds an evaluation of this split over the same images (a new training
     * writes fresh metadata, so a recorded evaluation is always of the model in the directory) and its chart exists.
     */
    @SuppressWarnings("unchecked")
    public Verdict ofEvaluation(Path modelDir, String split, Path chart) {
        Optional<Map<String, Object>> meta = ModelStore.metadata(modelDir);
        if (meta.isEmpty()) {
            return new Verdict(false, "no model in " + modelDir);
        }
        String id = String.valueOf(meta.get().get("model_id"));
        Object evaluations = meta.get().get("evaluations");
        Map<String, Object> done = evaluations instanceof Map<?, ?> e ? (Map<String, Object>) e.get(split) : null;
        if (done == null || done.get(EVALUATED_IMAGES) == null) {
            return new Verdict(false, "model " + id + " has no recorded " + split + " evaluation to compare with");
        }
        if (!Files.isRegularFile(chart)) {
            return new Verdict(false, chart + " is missing");
        }
        int size = ((Number) meta.get().get("input_size")).intValue();
        List<LabelledImage> images = new TrainingData(spark, lake)
                .load(split, size, (String) meta.get().get("resize_policy"), false);
        if (!TrainingData.digest(images).equals(done.get(EVALUATED_IMAGES))) {
            return new Verdict(
                    false,
                    "the " + split + " images changed since model " + id + " was evaluated on them ("
                            + done.get("images") + " -> " + images.size() + " images)");
        }
        return new Verdict(
                true,
                "model " + id + " was already evaluated on these " + images.size() + " " + split
                        + " images (metadata.json evaluations." + split + ", " + chart.getFileName() + ")");
    }
}

package com.cosmicmorphology.training.model;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.image.Hashes;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.TrainingData;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a model was trained from, recorded by {@code train} in metadata.json under {@code trained_from}: a digest
 * of the train and val images it read ({@link TrainingData#digest}) and one of the settings that shape the model
 * (every {@code training.*} key but {@code model-dir}, which says where the model goes, not what it is; and
 * {@code inputs.policy}). Delta versions cannot answer "did anything change": clean and split rewrite their
 * tables on every run, so a scheduled pipeline moves every version even when not one image changed.
 */
public record TrainedFrom(int images, String imagesSha256, String settingsSha256) {
    public static final String KEY = "trained_from";
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** The train + val images a training reads, under the given configuration. */
    public static TrainedFrom of(List<LabelledImage> trainAndVal, CosmicConfig config) {
        return new TrainedFrom(trainAndVal.size(), TrainingData.digest(trainAndVal), settingsSha256(config));
    }

    static String settingsSha256(CosmicConfig config) {
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = JSON.convertValue(config.training(), Map.class);
        settings.remove("model-dir");
        settings.put("inputs.policy", config.inputs().policy().key());
        if (config.synthetic().trainPerImage() > 0) {
            // only when used, so models trained without variants keep the hash they recorded
            settings.put("synthetic.train-per-image", config.synthetic().trainPerImage());
            settings.put("synthetic.seed", config.synthetic().seed());
        }
        try {
            return Hashes.sha256(JSON.writeValueAsString(settings).getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("training settings do not serialise: " + e.getMessage(), e);
        }
    }

    /** As metadata.json holds it. */
    public Map<String, Object> metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", images);
        m.put("images_sha256", imagesSha256);
        m.put("settings_sha256", settingsSha256);
        return m;
    }

    /** What a model's metadata records; empty for models trained before it was recorded. */
    @SuppressWarnings("unchecked")
    public static Optional<TrainedFrom> recorded(Map<String, Object> metadata) {
        if (!(metadata.get(KEY) instanceof Map<?, ?> m)) {
            return Optional.empty();
        }
        Map<String, Object> t = (Map<String, Object>) m;
        return Optional.of(
                new TrainedFrom(((Number) t.get("images")).intValue(), (String) t.get("images_sha256"), (String)
                        t.get("settings_sha256")));
    }

    /** What differs from what an earlier training recorded, in words; empty when nothing does. */
    public List<String> changesSince(TrainedFrom earlier) {
        List<String> changes = new ArrayList<>();
        if (!imagesSha256.equals(earlier.imagesSha256())) {
            changes.add(
                    images == earlier.images()
                            ? "the train + val images changed (" + images + " images: labels, splits, "
                                    + "groups or content)"
                            : "the train + val images changed (" + earlier.images() + " -> " + images + " images)");
        }
        if (!settingsSha256.equals(earlier.settingsSha256())) {
            changes.add("the training settings changed (training.* or inputs.policy)");
        }
        return changes;
    }
}

package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.config.BackboneKind;
import com.cosmicmorphology.common.config.CosmicConfig;
import java.nio.file.Path;

/** Builds the configured backbone. */
public final class Backbones {
    private Backbones() {}

    public static Backbone create(CosmicConfig.Training t) {
        OneDnnHelpers.enable();
        if (t.backbone() == BackboneKind.KERAS_H5) {
            return new KerasH5Backbone(Path.of(t.kerasModel()), t.inputSize(), t.featureLayers());
        }
        if (t.backbone() == BackboneKind.EFFICIENTNET_B0) {
            return new EfficientNetB0Backbone(t.inputSize(), t.allowRandomWeights(), t.seed());
        }
        if (t.backbone() == BackboneKind.VIT_TINY) {
            return new VitTinyBackbone(t.inputSize(), t.allowRandomWeights(), t.seed());
        }
        String dir = t.weightsDir().startsWith("~")
                ? System.getProperty("user.home") + t.weightsDir().substring(1)
                : t.weightsDir();
        if (t.backbone() == BackboneKind.RESNET50) {
            return new ResNet50Backbone(
                    ResNet50Variant.parse("training.resnet-variant", t.resnetVariant()),
                    t.inputSize(),
                    Path.of(dir),
                    t.allowRandomWeights(),
                    t.seed());
        }
        return new ZooBackbone(t.backbone().key(), t.inputSize(), Path.of(dir), t.allowRandomWeights(), t.seed());
    }
}

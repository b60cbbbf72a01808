package com.cosmicmorphology.common.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The backbone networks {@code training.backbone} names. */
public enum BackboneKind {
    /** Any Keras .h5 feature extractor ({@code training.keras-model}; the bundled MobileNetV2 by default). */
    KERAS_H5,
    /** ResNet50 as published, built by the project ({@code training.resnet-variant}). */
    RESNET50,
    /** DL4J's zoo SqueezeNet v1.1 (checked against its paper). */
    SQUEEZENET,
    /** EfficientNet-B0 as published, built by the project; random (He) initialisation only. */
    EFFICIENTNET_B0,
    /** ViT-Ti/16 as published, built by the project; random initialisation only. */
    VIT_TINY;

    @JsonValue
    public String key() {
        return ConfigValues.key(this);
    }

    @JsonCreator
    public static BackboneKind parse(String value) {
        return ConfigValues.parse(BackboneKind.class, "training.backbone", value);
    }
}

package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.config.ConfigException;

/**
 * Where a downsampling bottleneck block puts its stride. Both variants have the same parameters; they differ
 * in which convolution of the first block of stages 3-5 is strided, which is why weights belong to one of them.
 */
public enum ResNet50Variant implements com.cosmicmorphology.common.config.ConfigValues.Keyed {
    /** He et al. 2015 as published and as Keras's and DL4J's ImageNet weights were trained: stride on the first 1x1. */
    V1("v1"),
    /** torchvision's resnet50 (NVIDIA's "v1.5"): stride on the 3x3, ~0.5 % more top-1, ~5 % more arithmetic. */
    V1_5("v1.5");

    private final String key;

    ResNet50Variant(String key) {
        this.key = key;
    }

    @Override
    public String key() {
        return key;
    }

    /** @throws ConfigException naming the setting and the valid values */
    public static ResNet50Variant parse(String setting, String value) {
        return com.cosmicmorphology.common.config.ConfigValues.parse(ResNet50Variant.class, setting, value);
    }
}

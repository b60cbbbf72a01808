package com.cosmicmorphology.training.backbone;

import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * EfficientNet-B0 ({@link EfficientNetB0Graph}) as a feature extractor: 1280 pooled features per image, any input
 * of at least 32 px, channels last like the other backbones. No ImageNet weights for it can be had offline
 * here, and DL4J's Keras import does not take Keras's EfficientNet file (its rescaling and normalisation
 * layers and the broadcasting multiply of squeeze-and-excitation have no DL4J import), so the network starts
 * from He-initialised weights: frozen random features are a baseline, fine-tuning ({@code training.mode=fine-tune},
 * {@code training.unfreeze-from} e.g. {@code stem_conv} for all of it) is what trains it.
 */
public final class EfficientNetB0Backbone extends RandomInitBackbone {
    public EfficientNetB0Backbone(int size, boolean allowRandom, long seed) {
        super(
                "efficientnet-b0",
                "DL4J cannot import Keras's EfficientNet file: its rescaling and normalisation layers and the"
                        + " broadcasting multiply of squeeze-and-excitation have no DL4J import",
                size,
                allowRandom,
                seed,
                (s, sd) -> EfficientNetB0Graph.build(s, 0, sd, null, CNN2DFormat.NHWC));
    }

    @Override
    String idStem() {
        return "efficientnet_b0";
    }
}

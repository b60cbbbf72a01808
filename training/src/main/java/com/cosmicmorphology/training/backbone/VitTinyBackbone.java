package com.cosmicmorphology.training.backbone;

import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * ViT-Ti/16 ({@link VitTinyGraph}) as a feature extractor: the class token's 192 features after the final layer
 * norm, inputs of a multiple of 16 px, channels last like the other backbones. No ImageNet weights for it can be
 * had offline here (and DL4J imports no Keras or PyTorch transformer), so it starts from ViT's random
 * initialisation: frozen random features are a baseline, fine-tuning ({@code training.unfreeze-from=patch_embed}
 * for all of it) is what trains it.
 */
public final class VitTinyBackbone extends RandomInitBackbone {
    public VitTinyBackbone(int size, boolean allowRandom, long seed) {
        super(
                "vit-tiny",
                "DL4J imports no Keras or PyTorch transformer",
                size,
                allowRandom,
                seed,
                (s, sd) -> VitTinyGraph.build(s, 0, sd, null, CNN2DFormat.NHWC));
    }

    @Override
    String idStem() {
        return "vit_tiny_16";
    }
}

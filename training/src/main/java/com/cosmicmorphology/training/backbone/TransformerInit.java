package com.cosmicmorphology.training.backbone;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The Vision Transformer's initialisation (ViT's and timm's): weights N(0, 0.02), biases 0, norms' gains 1. */
final class TransformerInit {
    static final double STD = 0.02;

    private TransformerInit() {}

    /** Fills {@code a} from N(0, 0.02) with ND4J's generator, which DL4J seeds from the network's seed at init. */
    static void normal(INDArray a) {
        a.assign(Nd4j.randn(a.dataType(), a.shape()).muli(STD));
    }
}

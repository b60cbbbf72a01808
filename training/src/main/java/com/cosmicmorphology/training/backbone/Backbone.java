package com.cosmicmorphology.training.backbone;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A pretrained network cut before its classifier: images in, one feature vector per image out. Inputs are
 * always given as NHWC floats in [0,1] (pixel/255); each backbone converts to its own layout.
 */
public interface Backbone {
    /** Stable id for caches and metadata, e.g. {@code keras-mobilenet_v2_imagenet_block10_features-224}. */
    String id();

    int inputSize();

    /** @param nhwc [N, size, size, 3] in [0,1] */
    default INDArray features(INDArray nhwc) {
        return graph().outputSingle(false, toInput(nhwc));
    }

    /** The network itself (fine-tuning builds on it); its single output is the pooled feature vector. */
    org.deeplearning4j.nn.graph.ComputationGraph graph();

    /** NHWC [0,1] batch in the layout {@link #graph()} takes (as given, for channels-last graphs). */
    default INDArray toInput(INDArray nhwc) {
        return nhwc;
    }

    /** The layout {@link #toInput} gives: NHWC (as given) unless the backbone permutes. */
    default org.deeplearning4j.nn.conf.CNN2DFormat inputLayout() {
        return org.deeplearning4j.nn.conf.CNN2DFormat.NHWC;
    }

    /** Metadata for the model file: what the backbone is, where its weights came from. */
    java.util.Map<String, Object> describe();
}

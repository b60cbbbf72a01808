package com.cosmicmorphology.training.bench;

import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;

/**
 * Arithmetic of one image's forward pass, counted from the graph that runs: 2 FLOPs per multiply-add of every
 * convolution (kernel area x input channels x output channels x output positions) and dense layer (in x out),
 * the convention of torchvision's and fvcore's counts (batch norm, activations and adds are left out: under 1 %
 * for ResNet50). A training step is counted as 3 forward passes (forward, and backward for inputs and weights).
 */
public final class GraphFlops {
    private GraphFlops() {}

    public static double forwardFlops(ComputationGraphConfiguration conf, InputType input) {
        return forwardFlops(conf, input, false);
    }

    /**
     * A fine-tuning step's arithmetic per image: the forward pass of the whole graph, and the backward pass
     * (input and weight gradients, 2 forwards' worth) of the layers that train (frozen ones are left out).
     */
    public static double fineTuneStepFlops(ComputationGraphConfiguration conf, InputType input) {
        return forwardFlops(conf, input, false) + 2 * forwardFlops(conf, input, true);
    }

    private static double forwardFlops(ComputationGraphConfiguration conf, InputType input, boolean trainableOnly) {
        Map<String, InputType> out = conf.getLayerActivationTypes(input);
        double flops = 0;
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            Layer l = lv.getLayerConf().getLayer();
            // transfer learning wraps the layers below the first trainable one; their arithmetic still runs forward
            boolean frozen = false;
            if (l instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer f) {
                l = f.getLayer();
                frozen = true;
            } else if (l instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop f) {
                l = f.getUnderlying();
                frozen = true;
            }
            if (trainableOnly && frozen) {
                continue;
            }
            if (l instanceof ConvolutionLayer c) {
                InputType.InputTypeConvolutional o = (InputType.InputTypeConvolutional) out.get(e.getKey());
                double area = (double) c.getKernelSize()[0] * c.getKernelSize()[1];
                double positions = (double) o.getHeight() * o.getWidth();
                if (l instanceof DepthwiseConvolution2D) { // one k x k filter per output channel
                    flops += 2.0 * area * c.getNOut() * positions;
                } else if (l instanceof SeparableConvolution2D s) { // depthwise, then a 1x1 over its channels
                    long mid = c.getNIn() * s.getDepthMultiplier();
                    flops += 2.0 * area * mid * positions + 2.0 * mid * c.getNOut() * positions;
                } else {
                    flops += 2.0 * area * c.getNIn() * c.getNOut() * positions;
                }
            } else if (l instanceof FeedForwardLayer f
                    && !(l instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization)) {
                flops += 2.0 * f.getNIn() * f.getNOut();
            }
        }
        return flops;
    }
}

package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Activation shapes of a graph from its configuration alone (DL4J's input-type inference): no forward pass, so
 * a driver that only builds the network (distributed fine-tuning) never runs one.
 */
public final class GraphShapes {
    private GraphShapes() {}

    /**
     * The length of the per-image vector the graph's (single) output gives for {@code size} x {@code size} RGB
     * input in the backbone's layout: what a head placed on that output takes as {@code nIn}.
     */
    public static long outputLength(Backbone backbone) {
        ComputationGraph g = backbone.graph();
        String output = g.getConfiguration().getNetworkOutputs().get(0);
        int s = backbone.inputSize();
        InputType in = InputType.convolutional(s, s, 3, backbone.inputLayout());
        // no preprocessors added, no nIn overridden: the configuration is read, never changed
        Map<String, InputType> types = g.getConfiguration().getLayerActivationTypes(false, false, in);
        InputType out = types.get(output);
        if (out == null) {
            throw new CosmicException(
                    ExitCode.USAGE, "cannot infer the output shape of " + backbone.id() + " (layer " + output + ")");
        }
        if (out instanceof InputType.InputTypeFeedForward ff) {
            return ff.getSize();
        }
        throw new CosmicException(
                ExitCode.USAGE,
                backbone.id() + " outputs " + out + " at " + s + " px, not a vector: "
                        + "a head needs a pooled output (a global pooling layer last)");
    }
}

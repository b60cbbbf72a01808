package com.cosmicmorphology.training.backbone;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.samediff.SameDiffGraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Squeeze-and-excitation's last step: a feature map [N, C, H, W] (or [N, H, W, C]) times one weight per image
 * and channel [N, C], broadcast over the spatial positions. DL4J 1.0.0-M2.1's element-wise vertex needs equal
 * shapes, so this is a SameDiff vertex (its gradient comes from SameDiff's broadcasting multiply).
 */
public final class ScaleChannelsVertex extends SameDiffLambdaVertex {
    /** The feature map's layout; a field (not a constructor-only value) so that DL4J's JSON keeps it. */
    private CNN2DFormat format = CNN2DFormat.NCHW;

    public ScaleChannelsVertex() {}

    public ScaleChannelsVertex(CNN2DFormat format) {
        this.format = format;
    }

    public CNN2DFormat getFormat() {
        return format;
    }

    public void setFormat(CNN2DFormat format) {
        this.format = format;
    }

    @Override
    public SDVariable defineVertex(SameDiff sd, VertexInputs inputs) {
        SDVariable map = inputs.getInput(0);
        SDVariable weights = inputs.getInput(1); // [N, C]
        SDVariable broadcast = format == CNN2DFormat.NCHW
                ? sd.expandDims(sd.expandDims(weights, 2), 3) // [N, C, 1, 1]
                : sd.expandDims(sd.expandDims(weights, 1), 1); // [N, 1, 1, C]
        return map.mul(broadcast);
    }

    /**
     * The two inputs by the names SameDiffLambdaVertex gives them ({@code var_0}, {@code var_1}), declared
     * directly: its default traces {@link #defineVertex} on inputs of no data type, which the expand-dims op
     * refuses (and DL4J's JSON writer calls it when a model is saved).
     */
    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        params.defineInputs("var_0", "var_1");
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0];
    }

    /** DL4J's SameDiff vertex with the gradient it is given halved: see {@link ExactGradientSameDiffLayer}. */
    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(
            ComputationGraph graph, String name, int index, INDArray paramsView, boolean init, DataType dataType) {
        super.instantiate(graph, name, index, paramsView, init, dataType); // records the vertex's name
        return new ExactVertex(this, graph, name, index, paramsView, init, dataType);
    }

    static final class ExactVertex extends SameDiffGraphVertex {
        ExactVertex(
                ScaleChannelsVertex conf,
                ComputationGraph graph,
                String name,
                int index,
                INDArray paramsView,
                boolean init,
                DataType dataType) {
            super(conf, graph, name, index, paramsView, init, dataType);
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            INDArray given = epsilon;
            try {
                epsilon = given.dup('c').muli(0.5);
                return super.doBackward(tbptt, workspaceMgr);
            } finally {
                epsilon = given;
            }
        }
    }

    @Override
    public GraphVertex clone() {
        return new ScaleChannelsVertex(format);
    }
}

package com.cosmicmorphology.training.backbone;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Vision Transformer's image representation: the encoder's final layer norm applied to the class token, the
 * first of [N, tokens, C] (ViT's eq. 4), giving [N, C]: the feature vector a head takes.
 */
public final class ClassTokenLayer extends ExactGradientSameDiffLayer {
    private int width;

    public ClassTokenLayer() {}

    public ClassTokenLayer(int width) {
        this.width = width;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        // an interval and a reshape, not a point index: with one image, the point's backward pass put the
        // gradient in the wrong places (checked against finite differences)
        SDVariable cls = sd.reshape(x.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all()), -1, width);
        return TransformerBlockLayer.layerNorm(sd, cls, p.get("gain"), p.get("bias"));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addBiasParam("gain", 1, width);
        params.addBiasParam("bias", 1, width);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get("gain").assign(1);
        params.get("bias").assign(0);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(width);
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }
}

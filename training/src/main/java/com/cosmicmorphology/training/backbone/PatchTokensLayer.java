package com.cosmicmorphology.training.backbone;

import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Vision Transformer's token sequence from its patch embedding: the [N, C, h, w] (or [N, h, w, C]) map of the
 * 16x16/16 convolution read as h*w tokens in row-major order, a learned class token put first, and a learned
 * position embedding added to all h*w + 1 ({@code cls}, {@code pos}). Output [N, tokens, C] (recurrent, NWC).
 * DL4J has no such layer; a SameDiff layer gets its gradient from SameDiff.
 */
public final class PatchTokensLayer extends ExactGradientSameDiffLayer {
    public static final String CLS = "cls";
    public static final String POS = "pos";

    // fields with getters and setters, not constructor-only values, so that DL4J's JSON keeps them
    private int width;
    private int patches;
    private CNN2DFormat format = CNN2DFormat.NCHW;

    public PatchTokensLayer() {}

    public PatchTokensLayer(int width, int patches, CNN2DFormat format) {
        this.width = width;
        this.patches = patches;
        this.format = format;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable map, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable tokens = format == CNN2DFormat.NCHW
                ? sd.permute(sd.reshape(map, -1, width, patches), 0, 2, 1)
                : sd.reshape(map, -1, patches, width);
        // the class token, one per image: [1, 1, C] broadcast over a zero [N, 1, C] (N is known only at run time)
        SDVariable first = tokens.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all());
        SDVariable cls = sd.zerosLike(first).add(params.get(CLS));
        return sd.concat(1, cls, tokens).add(params.get(POS));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        // "bias" parameters: L2 regularisation, when configured, applies to the weight matrices only
        params.addBiasParam(CLS, 1, 1, width);
        params.addBiasParam(POS, 1, patches + 1, width);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(CLS).assign(0);
        TransformerInit.normal(params.get(POS));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(width, patches + 1, RNNFormat.NWC);
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }

    public int getPatches() {
        return patches;
    }

    public void setPatches(int patches) {
        this.patches = patches;
    }

    public CNN2DFormat getFormat() {
        return format;
    }

    public void setFormat(CNN2DFormat format) {
        this.format = format;
    }
}

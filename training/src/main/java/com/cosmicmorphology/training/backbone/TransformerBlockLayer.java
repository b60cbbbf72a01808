package com.cosmicmorphology.training.backbone;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One encoder block of a Vision Transformer (Dosovitskiy et al. 2021, eq. 2-3; pre-norm): x + MSA(LN(x)), then
 * x + MLP(LN(x)), on [N, tokens, C] (recurrent, NWC) in and out. Multi-head self-attention: query, key and value
 * projections with biases (ViT's qkv, as three C x C matrices), scaled dot-product attention per head
 * (softmax(QK^T / sqrt(C / heads)) V), the heads concatenated and projected. MLP: C to {@code mlp} with GELU
 * (ND4J's sigmoid form), back to C. Layer norms with eps 1e-6 and a gain and bias per channel. DL4J 1.0.0-M2.1 has no
 * transformer layer (its attention layers have no biases, norms or MLP), hence one SameDiff layer per block:
 * named blocks also let {@code training.unfreeze-from} fine-tune from any of them.
 */
public final class TransformerBlockLayer extends ExactGradientSameDiffLayer {
    static final double EPS = 1e-6;

    private int width;
    private int tokens;
    private int heads;
    private int mlp;

    public TransformerBlockLayer() {}

    public TransformerBlockLayer(int width, int tokens, int heads, int mlp) {
        if (width % heads != 0) {
            throw new IllegalArgumentException(width + " channels do not split into " + heads + " heads");
        }
        this.width = width;
        this.tokens = tokens;
        this.heads = heads;
        this.mlp = mlp;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        // every token of every image as one row: [N*T, C], so that the projections are plain matrix products
        SDVariable rows = sd.reshape(x, -1, width);
        SDVariable h = layerNorm(sd, rows, p.get("ln1gain"), p.get("ln1bias"));
        SDVariable q = linear(sd, h, p, "q");
        SDVariable k = linear(sd, h, p, "k");
        SDVariable v = linear(sd, h, p, "v");
        int d = width / heads;
        SDVariable[] perHead = new SDVariable[heads];
        for (int i = 0; i < heads; i++) {
            // head i's columns of every token, one [T, d] matrix per image: [N, T, d]
            SDVariable qi = perImage(sd, columns(q, i * d, d), d);
            SDVariable ki = perImage(sd, columns(k, i * d, d), d);
            SDVariable vi = perImage(sd, columns(v, i * d, d), d);
            SDVariable scores = sd.mmul(qi, ki, false, true, false).mul(1.0 / Math.sqrt(d));
            perHead[i] = sd.reshape(sd.mmul(sd.nn.softmax(scores, 2), vi), -1, d);
        }
        SDVariable merged = heads == 1 ? perHead[0] : sd.concat(1, perHead);
        rows = rows.add(linear(sd, merged, p, "proj"));
        SDVariable hidden = gelu(sd, linear(sd, layerNorm(sd, rows, p.get("ln2gain"), p.get("ln2bias")), p, "fc1"));
        rows = rows.add(linear(sd, hidden, p, "fc2"));
        return sd.reshape(rows, sd.shape(x));
    }

    /**
     * GELU as ND4J's {@code gelu} computes it, x * sigmoid(1.702 x) (the block's test compares against that op
     * to 1e-9), written out so that its gradient comes from SameDiff's chain rule over the sigmoid.
     */
    static SDVariable gelu(SameDiff sd, SDVariable x) {
        return x.mul(sd.nn.sigmoid(x.mul(1.702)));
    }

    private static SDVariable columns(SDVariable rows, int from, int count) {
        return rows.get(SDIndex.all(), SDIndex.interval(from, from + count));
    }

    private SDVariable perImage(SameDiff sd, SDVariable rows, int d) {
        return sd.reshape(rows, -1, tokens, d);
    }

    private static SDVariable linear(SameDiff sd, SDVariable in, Map<String, SDVariable> p, String name) {
        return sd.mmul(in, p.get(name + "W")).add(p.get(name + "b"));
    }

    /** Layer norm over the last dimension of [rows, C], written out (its gradient then comes from SameDiff). */
    static SDVariable layerNorm(SameDiff sd, SDVariable rows, SDVariable gain, SDVariable bias) {
        SDVariable centred = rows.sub(rows.mean(true, 1));
        SDVariable variance = centred.mul(centred).mean(true, 1);
        return centred.div(sd.math.sqrt(variance.add(EPS))).mul(gain).add(bias);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        for (String n : new String[] {"ln1", "ln2"}) {
            params.addBiasParam(n + "gain", 1, width);
            params.addBiasParam(n + "bias", 1, width);
        }
        for (String n : new String[] {"q", "k", "v", "proj"}) {
            params.addWeightParam(n + "W", width, width);
            params.addBiasParam(n + "b", 1, width);
        }
        params.addWeightParam("fc1W", width, mlp);
        params.addBiasParam("fc1b", 1, mlp);
        params.addWeightParam("fc2W", mlp, width);
        params.addBiasParam("fc2b", 1, width);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.forEach((name, a) -> {
            if (name.endsWith("W")) {
                TransformerInit.normal(a);
            } else {
                a.assign(name.endsWith("gain") ? 1 : 0);
            }
        });
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(width, tokens, org.deeplearning4j.nn.conf.RNNFormat.NWC);
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }

    public int getTokens() {
        return tokens;
    }

    public void setTokens(int tokens) {
        this.tokens = tokens;
    }

    public int getHeads() {
        return heads;
    }

    public void setHeads(int heads) {
        this.heads = heads;
    }

    public int getMlp() {
        return mlp;
    }

    public void setMlp(int mlp) {
        this.mlp = mlp;
    }
}

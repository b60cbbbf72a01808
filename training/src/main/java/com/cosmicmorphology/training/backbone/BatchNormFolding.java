package com.cosmicmorphology.training.backbone;

import java.util.Map;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Folds each batch norm of a trained {@link ResNet50Graph} into the convolution before it, for inference:
 * in inference a batch norm is the affine map {@code gamma * (x - mean) / std + beta} per channel, so
 * {@code W' = W * gamma / std} (per output channel) and {@code b' = beta - mean * gamma / std} give the same
 * output in one layer (DL4J keeps {@code log10(std)}, std = sqrt(running variance + eps)).
 */
public final class BatchNormFolding {
    private BatchNormFolding() {}

    /** The folded twin of {@code trained} (same variant, size and layout), ready for {@code output}. */
    public static ComputationGraph fold(ComputationGraph trained, ComputationGraph folded) {
        Map<String, INDArray> src = trained.paramTable();
        for (org.deeplearning4j.nn.api.Layer l : folded.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (!(l.conf().getLayer() instanceof ConvolutionLayer)) {
                continue;
            }
            String bn = ResNet50Graph.bnOf(name);
            INDArray w = src.get(name + "_W");
            INDArray gamma = src.get(bn + "_gamma").reshape(-1);
            INDArray beta = src.get(bn + "_beta").reshape(-1);
            INDArray mean = src.get(bn + "_mean").reshape(-1);
            INDArray std = Transforms.pow(
                    Nd4j.valueArrayOf(gamma.shape(), 10.0, gamma.dataType()),
                    src.get(bn + "_log10stdev").reshape(-1),
                    false);
            INDArray scale = gamma.div(std);
            INDArray wFolded = w.mul(scale.reshape(scale.length(), 1, 1, 1)); // [out, in, kh, kw]
            INDArray bFolded = beta.sub(mean.mul(scale));
            folded.setParam(name + "_W", wFolded);
            folded.setParam(
                    name + "_b", bFolded.reshape(folded.getParam(name + "_b").shape()));
        }
        return folded;
    }
}

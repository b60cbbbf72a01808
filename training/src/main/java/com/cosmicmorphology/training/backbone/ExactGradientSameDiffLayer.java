package com.cosmicmorphology.training.backbone;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A SameDiff layer whose gradients are right. DL4J 1.0.0-M2.1's SameDiff layer returns twice the true gradient,
 * for its parameters and for its input alike (measured against finite differences on a one-multiply layer: 2.000
 * at every minibatch size; {@code TransformerBlockLayerTest}), so a stack of such layers scales the gradient of
 * its first one by 2^depth: Adam mostly cancels a constant factor, SGD and L2 do not. The layer here halves the
 * incoming gradient before DL4J's backward pass, which is linear in it, so that both come out exact.
 */
public abstract class ExactGradientSameDiffLayer extends SameDiffLayer {

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            DataType dataType) {
        Impl layer = new Impl(conf, dataType);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        Map<String, INDArray> params = initializer().init(conf, paramsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    /** DL4J's SameDiff layer with the gradient it is given halved (see the class comment). */
    static final class Impl extends org.deeplearning4j.nn.layers.samediff.SameDiffLayer {
        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (input.size(0) != 1) {
                return super.backpropGradient(epsilon.dup('c').muli(0.5), workspaceMgr);
            }
            // one example: DL4J's pass gives wrong gradients for it (checked against finite differences at 1
            // example, exact at 2 and more), so the example goes through twice, as a minibatch of two equal
            // rows: the parameters' gradient is then 2 x 2 x the true one, each row's input gradient 2 x
            INDArray single = input;
            try {
                input = Nd4j.concat(0, single, single);
                Pair<Gradient, INDArray> both =
                        super.backpropGradient(Nd4j.concat(0, epsilon, epsilon).muli(0.25), workspaceMgr);
                INDArray first =
                        both.getSecond().get(NDArrayIndex.interval(0, 1)).mul(2);
                return new Pair<>(both.getFirst(), workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, first));
            } finally {
                input = single;
            }
        }
    }
}

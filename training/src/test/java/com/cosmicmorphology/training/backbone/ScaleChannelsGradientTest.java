package com.cosmicmorphology.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ScaleChannelsGradientTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void squeezeAndExcitationGradientsMatchFiniteDifferences(int examples) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(5)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(4, 4, 2, CNN2DFormat.NCHW))
                .addLayer(
                        "conv",
                        new ConvolutionLayer.Builder(3, 3)
                                .nOut(3)
                                .activation(Activation.TANH)
                                .build(),
                        "in")
                .addLayer("squeeze", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "conv")
                .addLayer(
                        "excite",
                        new DenseLayer.Builder()
                                .nOut(3)
                                .activation(Activation.SIGMOID)
                                .build(),
                        "squeeze")
                .addVertex("scale", new ScaleChannelsVertex(CNN2DFormat.NCHW), "conv", "excite")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "scale")
                .addLayer(
                        "out",
                        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nOut(2)
                                .activation(Activation.SOFTMAX)
                                .build(),
                        "pool")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        INDArray x = Nd4j.randn(DataType.DOUBLE, examples, 2, 4, 4);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, examples, 2);
        for (int i = 0; i < examples; i++) {
            y.putScalar(i, i % 2, 1);
        }
        DataType before = Nd4j.dataType();
        DataType beforeFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            assertThat(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                            .net(g)
                            .inputs(new INDArray[] {x})
                            .labels(new INDArray[] {y})
                            .epsilon(1e-6)
                            .maxRelError(1e-3)
                            .minAbsoluteError(1e-8)))
                    .isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(before, beforeFloat);
        }
    }
}

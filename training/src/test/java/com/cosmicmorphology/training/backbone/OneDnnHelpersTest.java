package com.cosmicmorphology.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Both switches that give DL4J's convolutions their oneDNN helper (the system property of
 * {@link OneDnnHelpers} and the {@code org.nd4j.nativeblas.Nd4jCpu} shim) really work on the pinned DL4J: a
 * convolution layer built now has an MKLDNN helper. Without either, DL4J falls back to im2col + GEMM silently
 * (4x slower, measured), so a DL4J upgrade that breaks them must fail here, not in a benchmark.
 */
class OneDnnHelpersTest {
    @Test
    void aConvolutionLayerBuiltAfterEnablingGetsTheOneDnnHelper() {
        OneDnnHelpers.enable();
        assertThat(OneDnnHelpers.enabled()).isTrue();
        assertThat(org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN())
                .as("ND4J's CPU backend reports oneDNN through the shim")
                .isTrue();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3)
                        .nOut(4)
                        .activation(Activation.RELU)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(2)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(8, 8, 3))
                .build());
        net.init();
        net.output(Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8)); // the helper is created lazily, on first use
        LayerHelper helper = net.getLayer(0).getHelper();
        assertThat(helper).as("convolution helper").isNotNull();
        assertThat(helper.getClass().getSimpleName()).isEqualTo("MKLDNNConvHelper");
    }
}

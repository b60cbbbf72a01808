package com.cosmicmorphology.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class EfficientNetB0GraphTest {

    @Test
    void stagesRunAtThePublishedSizesWith5_29MParametersAt224() {
        ComputationGraphConfiguration conf = EfficientNetB0Graph.build(224, 1000, 42, null, CNN2DFormat.NCHW);
        Map<String, InputType> out = conf.getLayerActivationTypes(InputType.convolutional(224, 224, 3));
        String[] stages = EfficientNetB0Graph.stageOutputs();
        int[] sides = new int[stages.length];
        long[] channels = new long[stages.length];
        for (int i = 0; i < stages.length; i++) {
            InputType.InputTypeConvolutional t = (InputType.InputTypeConvolutional) out.get(stages[i]);
            sides[i] = (int) t.getHeight();
            channels[i] = t.getChannels();
        }
        // the paper's Table 1: resolution and channels of each stage
        assertThat(sides).containsExactly(112, 112, 56, 28, 14, 14, 7, 7, 7);
        assertThat(channels).containsExactly(32, 16, 24, 40, 80, 112, 192, 320, 1280);

        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        long trainable = g.paramTable().entrySet().stream()
                .filter(e -> !e.getKey().endsWith("_mean") && !e.getKey().endsWith("_log10stdev"))
                .mapToLong(e -> e.getValue().length())
                .sum();
        assertThat(trainable).isEqualTo(5_288_548L); // torchvision efficientnet_b0 / Keras EfficientNetB0
        assertThat(g.numParams() - trainable).isEqualTo(2 * 21_008L); // running mean and std of 21,008 BN channels
        // 16 MBConv blocks, each with its squeeze-and-excitation scaling; the identity added in 9 of them
        assertThat(g.getVertices())
                .filteredOn(v -> v.getVertexName().endsWith("se_excite"))
                .hasSize(16);
        assertThat(g.getVertices())
                .filteredOn(v -> v.getVertexName().endsWith("_add"))
                .hasSize(9);
    }

    @Test
    void itTrainsAt32PxInBothLayoutsAndItsConfigurationRoundTripsThroughJson() {
        SmallTrainingRun.learnsInBothLayoutsAndRoundTripsThroughJson(
                format -> EfficientNetB0Graph.build(32, 3, 7, new Adam(1e-3), format), 8);
    }

    @Test
    void theExcitationScalesEachChannelOfEachImageByItsOwnWeight() {
        ComputationGraph g = new ComputationGraph(EfficientNetB0Graph.build(32, 0, 3, null, CNN2DFormat.NCHW));
        g.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        Map<String, INDArray> acts = g.feedForward(x, false);
        INDArray map = acts.get("block2a_activation"); // [2, 96, 8, 8]
        INDArray weights = acts.get("block2a_se_expand"); // [2, 96]
        INDArray scaled = acts.get("block2a_se_excite");
        assertThat(scaled.shape()).isEqualTo(map.shape());
        for (int n = 0; n < 2; n++) {
            for (int c : new int[] {0, 17, 95}) {
                double w = weights.getDouble(n, c);
                assertThat(scaled.getDouble(n, c, 5, 7)).isCloseTo(map.getDouble(n, c, 5, 7) * w, within(1e-5));
                assertThat(scaled.getDouble(n, c, 0, 0)).isCloseTo(map.getDouble(n, c, 0, 0) * w, within(1e-5));
            }
        }
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }
}

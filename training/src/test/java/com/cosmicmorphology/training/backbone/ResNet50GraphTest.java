package com.cosmicmorphology.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.training.bench.GraphFlops;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class ResNet50GraphTest {

    @ParameterizedTest
    @EnumSource(ResNet50Variant.class)
    void stagesRunAt56_28_14_7AtThePublishedSizeWith25_56MParameters(ResNet50Variant variant) {
        ComputationGraphConfiguration conf = ResNet50Graph.build(variant, 224, 1000, 42, null);
        Map<String, InputType> out = conf.getLayerActivationTypes(InputType.convolutional(224, 224, 3));
        int[] sides = new int[5];
        long[] channels = new long[5];
        String[] stages = ResNet50Graph.stageOutputs();
        for (int i = 0; i < 5; i++) {
            InputType.InputTypeConvolutional t = (InputType.InputTypeConvolutional) out.get(stages[i]);
            sides[i] = (int) t.getHeight();
            channels[i] = t.getChannels();
        }
        assertThat(sides).containsExactly(56, 56, 28, 14, 7);
        assertThat(channels).containsExactly(64, 256, 512, 1024, 2048);

        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        long trainable = g.paramTable().entrySet().stream()
                .filter(e -> !e.getKey().endsWith("_mean") && !e.getKey().endsWith("_log10stdev"))
                .mapToLong(e -> e.getValue().length())
                .sum();
        assertThat(trainable).isEqualTo(25_557_032L); // torchvision resnet50's count
        assertThat(g.numParams() - trainable).isEqualTo(2 * 26_560L); // running mean and std of 26,560 BN channels
    }

    @Test
    void theVariantsDifferOnlyInWhichConvolutionOfADownsamplingBlockIsStrided() {
        ComputationGraphConfiguration v1 = ResNet50Graph.build(ResNet50Variant.V1, 224, 0, 1, null);
        ComputationGraphConfiguration v15 = ResNet50Graph.build(ResNet50Variant.V1_5, 224, 0, 1, null);
        assertThat(stride(v1, "res2a_branch2a")).isEqualTo(1);
        assertThat(stride(v1, "res2a_branch1")).isEqualTo(1);
        assertThat(stride(v15, "res2a_branch2b")).isEqualTo(1);
        for (String block : new String[] {"3a", "4a", "5a"}) {
            assertThat(stride(v1, "res" + block + "_branch2a")).isEqualTo(2);
            assertThat(stride(v1, "res" + block + "_branch2b")).isEqualTo(1);
            assertThat(stride(v15, "res" + block + "_branch2a")).isEqualTo(1);
            assertThat(stride(v15, "res" + block + "_branch2b")).isEqualTo(2);
            assertThat(stride(v1, "res" + block + "_branch1")).isEqualTo(2);
        }
        // torchvision's resnet50 (v1.5): 4.09 GMAC per 224 px image; v1 runs the strided 1x1s at a quarter the
        // positions
        double f15 = GraphFlops.forwardFlops(v15, InputType.convolutional(224, 224, 3));
        double f1 = GraphFlops.forwardFlops(v1, InputType.convolutional(224, 224, 3));
        assertThat(f15 / 1e9).isBetween(8.10, 8.25);
        assertThat(f1).isLessThan(f15);
        assertThat(f1 / 1e9).isBetween(7.5, 8.0);
    }

    @Test
    void anyInputFrom32PixelsGivesFiniteFeaturesAndASaneInitialLoss() {
        ComputationGraph g = new ComputationGraph(ResNet50Graph.build(ResNet50Variant.V1_5, 32, 10, 42, null));
        g.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 10);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i, 1f);
        }
        INDArray pooled = g.feedForward(x, false).get(ResNet50Graph.POOL);
        assertThat(pooled.shape()).containsExactly(4, 2048);
        assertThat(Double.isFinite(pooled.sumNumber().doubleValue())).isTrue();
        assertThat(pooled.amaxNumber().doubleValue()).isGreaterThan(0);
        // He initialisation keeps a fresh network's loss near ln(10) = 2.3 (the zoo's N(0, 0.5) gave ~130)
        double loss = g.score(new DataSet(x, y), true);
        assertThat(loss).isFinite().isLessThan(10);
    }

    @Test
    void channelsLastIsTheSameFunctionWithTheSameParameters() {
        ComputationGraph nchw = new ComputationGraph(ResNet50Graph.build(ResNet50Variant.V1, 64, 0, 3, null));
        nchw.init();
        ComputationGraph nhwc = new ComputationGraph(
                ResNet50Graph.build(ResNet50Variant.V1, 64, 0, 3, null, org.deeplearning4j.nn.conf.CNN2DFormat.NHWC));
        nhwc.init();
        assertThat(nhwc.paramTable().keySet()).isEqualTo(nchw.paramTable().keySet());
        nhwc.setParams(nchw.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 64, 64, 3);
        INDArray a = nchw.outputSingle(false, x.permute(0, 3, 1, 2).dup());
        INDArray b = nhwc.outputSingle(false, x);
        assertThat(b.shape()).containsExactly(2, 2048);
        assertThat(a.sub(b).amaxNumber().doubleValue())
                .isLessThan(1e-3 * a.amaxNumber().doubleValue());
    }

    @ParameterizedTest
    @EnumSource(ResNet50Variant.class)
    void theFoldedInferenceTwinGivesTheSameFeatures(ResNet50Variant variant) {
        var nhwc = org.deeplearning4j.nn.conf.CNN2DFormat.NHWC;
        ComputationGraph trained = new ComputationGraph(ResNet50Graph.build(variant, 64, 0, 9, null, nhwc));
        trained.init();
        Nd4j.getRandom().setSeed(3);
        trained.paramTable().forEach((k, v) -> { // batch norms as training leaves them, not as initialised
            if (k.endsWith("_gamma")) {
                trained.setParam(k, Nd4j.rand(DataType.FLOAT, v.shape()).addi(0.5));
            } else if (k.endsWith("_beta") || k.endsWith("_mean")) {
                trained.setParam(k, Nd4j.randn(DataType.FLOAT, v.shape()).muli(0.1));
            } else if (k.endsWith("_log10stdev")) {
                trained.setParam(
                        k, Nd4j.rand(DataType.FLOAT, v.shape()).subi(0.5).muli(0.4));
            }
        });
        ComputationGraph folded = new ComputationGraph(ResNet50Graph.buildFolded(variant, 64, nhwc));
        folded.init();
        BatchNormFolding.fold(trained, folded);
        assertThat(folded.getLayers().length).isEqualTo(53 + 1 + 16 + 1); // convs, max pool, post-add ReLUs, GAP
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 64, 64, 3);
        INDArray a = trained.outputSingle(false, x);
        INDArray b = folded.outputSingle(false, x);
        assertThat(b.shape()).containsExactly(2, 2048);
        assertThat(a.sub(b).amaxNumber().doubleValue())
                .isLessThan(1e-3 * a.amaxNumber().doubleValue());
    }

    private static long stride(ComputationGraphConfiguration conf, String layer) {
        var v = (org.deeplearning4j.nn.conf.graph.LayerVertex)
                conf.getVertices().get(layer);
        return ((ConvolutionLayer) v.getLayerConf().getLayer()).getStride()[0];
    }
}

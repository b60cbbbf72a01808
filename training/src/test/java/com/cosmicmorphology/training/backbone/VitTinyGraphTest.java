package com.cosmicmorphology.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

class VitTinyGraphTest {

    @Test
    void at224ItHas197TokensOf192And5_72MParameters() {
        ComputationGraphConfiguration conf = VitTinyGraph.build(224, 1000, 42, null, CNN2DFormat.NCHW);
        Map<String, InputType> out = conf.getLayerActivationTypes(InputType.convolutional(224, 224, 3));
        InputType.InputTypeConvolutional patches = (InputType.InputTypeConvolutional) out.get(VitTinyGraph.PATCH_EMBED);
        assertThat(new long[] {patches.getHeight(), patches.getWidth(), patches.getChannels()})
                .containsExactly(14, 14, 192);
        for (String layer : new String[] {VitTinyGraph.TOKENS, VitTinyGraph.block(0), VitTinyGraph.block(11)}) {
            InputType.InputTypeRecurrent t = (InputType.InputTypeRecurrent) out.get(layer);
            assertThat(new long[] {t.getTimeSeriesLength(), t.getSize()})
                    .as(layer)
                    .containsExactly(197, 192);
        }
        assertThat(((InputType.InputTypeFeedForward) out.get(VitTinyGraph.NORM)).getSize())
                .isEqualTo(192);

        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        // timm's vit_tiny_patch16_224: patch embedding 147,648, class token 192, positions 37,824,
        // 12 blocks x 444,864, final norm 384, head 193,000
        assertThat(g.numParams()).isEqualTo(5_717_416L);
        assertThat(g.getLayer(VitTinyGraph.block(5)).numParams()).isEqualTo(444_864L);
    }

    @Test
    void sizesThatDoNotCutIntoWholePatchesAreRefused() {
        assertThatThrownBy(() -> VitTinyGraph.build(100, 3, 1, null, CNN2DFormat.NCHW))
                .hasMessageContaining("multiple of 16");
        assertThatThrownBy(() -> VitTinyGraph.build(16, 3, 1, null, CNN2DFormat.NCHW))
                .hasMessageContaining("at least 32");
    }

    @Test
    void itTrainsAt32PxInBothLayoutsAndItsConfigurationRoundTripsThroughJson() {
        SmallTrainingRun.learnsInBothLayoutsAndRoundTripsThroughJson(
                format -> VitTinyGraph.build(32, 3, 7, new Adam(1e-3), format), 10);
    }
}

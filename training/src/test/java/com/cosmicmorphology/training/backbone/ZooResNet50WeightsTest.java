package com.cosmicmorphology.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.model.ResNet50;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The zoo's weight file cannot be downloaded here, so the test writes one the way DL4J's is made: the zoo
 * ResNet50 graph saved by ModelSerializer, with non-trivial convolution biases and batch norm statistics.
 */
class ZooResNet50WeightsTest {
    @TempDir
    static Path tmp;

    static ComputationGraph zoo;
    static Path weightsDir;

    @BeforeAll
    static void writeAZooWeightFile() throws Exception {
        zoo = ResNet50.builder().numClasses(1000).seed(7).build().init();
        Nd4j.getRandom().setSeed(11);
        for (Map.Entry<String, INDArray> e : zoo.paramTable().entrySet()) {
            String k = e.getKey();
            if (k.endsWith("_b") || k.endsWith("_mean") || k.endsWith("_beta")) {
                zoo.setParam(k, Nd4j.randn(DataType.FLOAT, e.getValue().shape()).muli(0.1));
            } else if (k.endsWith("_log10stdev")) {
                zoo.setParam(k, Nd4j.rand(DataType.FLOAT, e.getValue().shape()).muli(0.2));
            }
        }
        weightsDir = tmp.resolve("weights");
        Path file = weightsDir.resolve("models/resnet50").resolve(ZooResNet50Weights.FILE);
        Files.createDirectories(file.getParent());
        ModelSerializer.writeModel(zoo, file.toFile(), false);
    }

    @Test
    void everyParameterIsFoundShapeCheckedAndTheBiasesFoldIntoBatchNorm() {
        ComputationGraph ours = new ComputationGraph(ResNet50Graph.build(ResNet50Variant.V1, 224, 1000, 1, null));
        ours.init();
        ZooResNet50Weights.Report r = ZooResNet50Weights.load(
                ours, weightsDir.resolve("models/resnet50").resolve(ZooResNet50Weights.FILE));
        assertThat(r.copied()).isEqualTo(ours.paramTable().size());
        assertThat(r.biasesFolded()).isEqualTo(53); // every convolution is followed by a batch norm
        assertThat(r.unused()).isEmpty();
        assertThat(ours.getParam("res4b_branch2b_W")).isEqualTo(zoo.getParam("res4b_branch2b_W"));
        assertThat(ours.getParam("conv1_W")).isEqualTo(zoo.getParam("stem-cnn1_W"));
        assertThat(ours.getParam("fc1000_W")).isEqualTo(zoo.getParam("output_W"));
        assertThat(ours.getParam("bn5c_branch2c_gamma")).isEqualTo(zoo.getParam("bn5c_branch2c_gamma"));

        // The stem is the same function in both graphs (zero padding + valid conv = padded conv): with the bias
        // folded, our batch-normed stem output equals the zoo's, in inference and in training mode.
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 224, 224);
        for (boolean train : new boolean[] {false, true}) {
            INDArray theirs = zoo.feedForward(x, train).get("stem-batch1");
            INDArray mine = ours.feedForward(x, train).get("bn_conv1");
            assertThat(mine.shape()).isEqualTo(theirs.shape());
            double diff = mine.sub(theirs).amaxNumber().doubleValue();
            assertThat(diff)
                    .as("max |difference|, train=" + train)
                    .isLessThan(1e-3 * theirs.amaxNumber().doubleValue());
        }
    }

    @Test
    void aMissingOrMisshapenParameterIsOneLineNamingIt() {
        ComputationGraph ours = new ComputationGraph(ResNet50Graph.build(ResNet50Variant.V1, 64, 1000, 1, null));
        ours.init();
        Map<String, INDArray> src = new LinkedHashMap<>(zoo.paramTable());
        src.remove("res3b_branch2b_W");
        src.put("bn4a_branch2a_gamma", Nd4j.ones(DataType.FLOAT, 7));
        assertThatThrownBy(() -> ZooResNet50Weights.copy(src, ours, "test.zip"))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("2 of " + ours.paramTable().size() + " parameters")
                .hasMessageContaining("res3b_branch2b_W")
                .hasMessageContaining("bn4a_branch2a_gamma shape [256] but the file has [7]")
                .hasMessageNotContaining("\n");
        assertThat(ours.getParam("conv1_W")).isNotEqualTo(zoo.getParam("stem-cnn1_W")); // nothing half-loaded
    }

    @Test
    void theBackboneLoadsTheFileIntoV1AndRefusesV1_5() {
        ResNet50Backbone b = new ResNet50Backbone(ResNet50Variant.V1, 64, weightsDir, false, 1);
        assertThat(b.id()).isEqualTo("resnet50v1_imagenet_64");
        assertThat(b.describe()).containsEntry("pretrained", "imagenet").containsEntry("variant", "v1");
        assertThat(b.graph().getParam("res5a_branch2c_W")).isEqualTo(zoo.getParam("res5a_branch2c_W"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 64, 64, 3);
        INDArray f = b.features(x); // through the folded twin
        assertThat(f.shape()).containsExactly(2, 2048);
        INDArray unfolded = b.graph().outputSingle(false, x);
        assertThat(f.sub(unfolded).amaxNumber().doubleValue())
                .isLessThan(1e-3 * unfolded.amaxNumber().doubleValue());
        assertThatThrownBy(() -> new ResNet50Backbone(ResNet50Variant.V1_5, 64, weightsDir, true, 1))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("trained with ResNet50 v1")
                .hasMessageContaining("training.resnet-variant=v1");
    }

    @Test
    void aCorruptFileSaysWhatToPlace() throws Exception {
        Path bad = tmp.resolve("bad/models/resnet50").resolve(ZooResNet50Weights.FILE);
        Files.createDirectories(bad.getParent());
        Files.writeString(bad, "not a zip");
        assertThatThrownBy(() -> new ResNet50Backbone(ResNet50Variant.V1, 64, tmp.resolve("bad"), false, 1))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("not a DL4J model file")
                .hasMessageContaining(ZooResNet50Weights.FILE);
    }
}

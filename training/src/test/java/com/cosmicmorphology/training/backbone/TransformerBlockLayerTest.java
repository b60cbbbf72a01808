package com.cosmicmorphology.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.GELU;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

class TransformerBlockLayerTest {
    private static final int N = 2;
    private static final int T = 3;
    private static final int C = 8;
    private static final int HEADS = 2;
    private static final int MLP = 16;

    /** One block, then the class token's norm and a softmax, on [N, T, C] tokens, in double precision. */
    private static ComputationGraph net() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(11)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.recurrent(C, T, RNNFormat.NWC))
                .addLayer("block", new TransformerBlockLayer(C, T, HEADS, MLP), "in")
                .addLayer("norm", new ClassTokenLayer(C), "block")
                .addLayer(
                        "out",
                        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nOut(3)
                                .activation(Activation.SOFTMAX)
                                .build(),
                        "norm")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        // larger than ViT's 0.02 start, so that attention is far from uniform and every term matters
        for (String p : g.paramTable().keySet()) {
            if (p.startsWith("block_")) {
                g.setParam(p, Nd4j.randn(DataType.DOUBLE, g.getParam(p).shape()).muli(0.5));
            }
        }
        return g;
    }

    @Test
    void theBlockComputesPreNormMultiHeadAttentionThenTheMlpEachWithItsResidual() {
        ComputationGraph g = net();
        INDArray one = Nd4j.randn(DataType.DOUBLE, 1, T, C);
        INDArray single = g.feedForward(one, false).get("block");
        System.out.println("FWD1 "
                + single.get(NDArrayIndex.point(0))
                        .sub(reference(g, one.get(NDArrayIndex.point(0)).dup()))
                        .amaxNumber());
        INDArray x = Nd4j.randn(DataType.DOUBLE, N, T, C);
        INDArray got = g.feedForward(x, false).get("block");
        assertThat(got.shape()).containsExactly(N, T, C);
        for (int n = 0; n < N; n++) {
            INDArray want = reference(g, x.get(NDArrayIndex.point(n)).dup());
            INDArray row = got.get(NDArrayIndex.point(n));
            assertThat(row.sub(want).amaxNumber().doubleValue())
                    .as("image " + n)
                    .isLessThan(1e-9);
        }
        // the features are the class token's layer norm (gain 1 and bias 0 at the start): mean 0, variance 1
        INDArray features = g.feedForward(x, false).get("norm");
        assertThat(features.shape()).containsExactly(N, C);
        for (int n = 0; n < N; n++) {
            INDArray f = features.getRow(n);
            assertThat(f.meanNumber().doubleValue()).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(f.mul(f).meanNumber().doubleValue()).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-4));
            INDArray cls = got.get(NDArrayIndex.point(n), NDArrayIndex.point(0), NDArrayIndex.all());
            INDArray centred = cls.sub(cls.meanNumber());
            assertThat(f.sub(centred.div(
                                    Math.sqrt(centred.mul(centred).meanNumber().doubleValue() + 1e-6)))
                            .amaxNumber()
                            .doubleValue())
                    .isLessThan(1e-9);
        }
    }

    /**
     * DL4J's own gradient check (central differences, double precision) over the block, the class token's norm
     * and the softmax, with one example (where DL4J's SameDiff layer alone gets it wrong) and with three (where
     * it alone doubles it): {@link ExactGradientSameDiffLayer}.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void itsGradientsMatchFiniteDifferences(int examples) {
        ComputationGraph g = net();
        INDArray x = Nd4j.randn(DataType.DOUBLE, examples, T, C);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, examples, 3);
        for (int i = 0; i < examples; i++) {
            y.putScalar(i, (i + 1) % 3, 1);
        }
        // the check insists on double as ND4J's default type; the test JVM's other tests expect float back
        DataType before = Nd4j.dataType();
        DataType beforeFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(g)
                    .inputs(new INDArray[] {x})
                    .labels(new INDArray[] {y})
                    .epsilon(1e-6)
                    .maxRelError(1e-3)
                    .minAbsoluteError(1e-8));
            assertThat(ok).isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(before, beforeFloat);
        }
    }

    /** The block for one image's [T, C] tokens, written with plain ND4J arrays, head by head. */
    private static INDArray reference(ComputationGraph g, INDArray x) {
        INDArray h = norm(x, p(g, "ln1gain"), p(g, "ln1bias"));
        INDArray q = lin(h, g, "q");
        INDArray k = lin(h, g, "k");
        INDArray v = lin(h, g, "v");
        int d = C / HEADS;
        INDArray merged = Nd4j.zeros(DataType.DOUBLE, T, C);
        for (int head = 0; head < HEADS; head++) {
            INDArray qh = q.get(NDArrayIndex.all(), NDArrayIndex.interval(head * d, (head + 1) * d));
            INDArray kh = k.get(NDArrayIndex.all(), NDArrayIndex.interval(head * d, (head + 1) * d));
            INDArray vh = v.get(NDArrayIndex.all(), NDArrayIndex.interval(head * d, (head + 1) * d));
            INDArray scores = qh.mmul(kh.transpose()).divi(Math.sqrt(d));
            INDArray e = Transforms.exp(scores.subColumnVector(scores.max(1).reshape(T, 1)), true);
            INDArray attention = e.divColumnVector(e.sum(1).reshape(T, 1));
            merged.get(NDArrayIndex.all(), NDArrayIndex.interval(head * d, (head + 1) * d))
                    .assign(attention.mmul(vh));
        }
        INDArray x1 = x.add(lin(merged, g, "proj"));
        INDArray hidden = Nd4j.exec(new GELU(lin(norm(x1, p(g, "ln2gain"), p(g, "ln2bias")), g, "fc1")));
        return x1.add(lin(hidden, g, "fc2"));
    }

    private static INDArray lin(INDArray in, ComputationGraph g, String name) {
        return in.mmul(p(g, name + "W")).addRowVector(p(g, name + "b"));
    }

    private static INDArray norm(INDArray x, INDArray gain, INDArray bias) {
        INDArray centred = x.subColumnVector(x.mean(1).reshape(T, 1));
        INDArray sd = Transforms.sqrt(centred.mul(centred).mean(1).reshape(T, 1).addi(TransformerBlockLayer.EPS));
        return centred.divColumnVector(sd).mulRowVector(gain).addRowVector(bias);
    }

    private static INDArray p(ComputationGraph g, String name) {
        return g.getParam("block_" + name);
    }
}

package com.cosmicmorphology.training.backbone;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * EfficientNet-B0 as Tan and Le (2019) define it, built from DL4J layers (DL4J has no such zoo network).
 *
 * <p>Stem: 3x3/2 convolution to 32 channels, batch norm, swish. Sixteen MBConv blocks in seven stages
 * (expansion, kernel, stride, channels, repeats): (1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2),
 * (6, 3, 2, 80, 3), (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1). A block: a 1x1 expansion
 * (when the ratio is above 1), a depthwise k x k convolution carrying the stride, each with batch norm and
 * swish; squeeze-and-excitation (global average pool, a reduction to a quarter of the block's input channels
 * with swish, an expansion back with a sigmoid, the channels scaled by it: {@link ScaleChannelsVertex}); a
 * linear 1x1 projection with batch norm; the identity added when stride is 1 and channels match. Head: 1x1
 * convolution to 1280, batch norm, swish, global average pooling (the feature vector), then a softmax layer
 * when classes are asked for (dropout 0.2 before it, as published). Convolutions have no bias (batch norm
 * follows each); "same" padding, so at 224 px the stages run at 112/112/56/28/14/14/7/7. With 1000 classes
 * the network has 5,288,548 trainable parameters, torchvision's and Keras's count (DL4J also stores each
 * batch norm's running mean and variance as parameters: 42,016 more). Stochastic depth is left out (a
 * regulariser of ImageNet training, not part of the function).
 */
public final class EfficientNetB0Graph {
    public static final String INPUT = "input";
    /** The pooled 1280-feature vertex. */
    public static final String POOL = "avg_pool";

    public static final String HEAD = "predictions";
    /** Per stage: expansion ratio, kernel, stride, output channels, repeats. */
    static final int[][] STAGES = {
        {1, 3, 1, 16, 1},
        {6, 3, 2, 24, 2},
        {6, 5, 2, 40, 2},
        {6, 3, 2, 80, 3},
        {6, 5, 1, 112, 3},
        {6, 5, 2, 192, 4},
        {6, 3, 1, 320, 1}
    };

    static final int STEM = 32;
    static final int TOP = 1280;
    // Keras's batch norm settings for EfficientNet (eps 1e-3, momentum 0.99), which its weight files use
    static final double BN_EPS = 1e-3;
    static final double BN_DECAY = 0.99;

    private EfficientNetB0Graph() {}

    /** Name of each stage's last output (stem, then stages 1-7, then the head's activation), for size checks. */
    public static String[] stageOutputs() {
        String[] s = new String[STAGES.length + 2];
        s[0] = "stem_activation";
        for (int st = 0; st < STAGES.length; st++) {
            s[st + 1] = blockName(st, STAGES[st][4] - 1) + "out";
        }
        s[STAGES.length + 1] = "top_activation";
        return s;
    }

    /**
     * @param classes 0 for a feature extractor (output {@value #POOL}, 1280 per image), else a softmax head
     *     {@value #HEAD} with that many classes
     * @param format the activations' layout: NCHW or NHWC (channels last)
     */
    public static ComputationGraphConfiguration build(
            int size, int classes, long seed, IUpdater updater, CNN2DFormat format) {
        if (size < 32) {
            throw new IllegalArgumentException(
                    "EfficientNet-B0 needs inputs of at least 32 px (5 halvings), got " + size);
        }
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater == null ? new Sgd(0.01) : updater)
                // He initialisation (fan in), what the paper's reference code uses for its convolutions
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(size, size, 3, format));
        Blocks b = new Blocks(g, format);
        String x = b.convBnSwish("stem", INPUT, 3, 2, STEM);
        int in = STEM;
        for (int st = 0; st < STAGES.length; st++) {
            int[] s = STAGES[st];
            for (int k = 0; k < s[4]; k++) {
                x = b.mbConv(blockName(st, k), x, in, s[0], s[1], k == 0 ? s[2] : 1, s[3]);
                in = s[3];
            }
        }
        x = b.convBnSwish("top", x, 1, 1, TOP);
        g.addLayer(POOL, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
        // dropout 0.2 before the head, as published (DL4J's dropOut(p) is the probability of keeping)
        return ClassifierHead.finish(g, POOL, HEAD, classes, 0.8);
    }

    /** Keras's block names: stage 1 block a = "block1a_", ..., stage 7 block a = "block7a_". */
    static String blockName(int stage, int block) {
        return "block" + (stage + 1) + (char) ('a' + block) + "_";
    }

    /** Adds convolution + batch norm + swish units and MBConv blocks. */
    private record Blocks(ComputationGraphConfiguration.GraphBuilder g, CNN2DFormat f) {
        String convBnSwish(String name, String in, int k, int stride, int out) {
            g.addLayer(name + "_conv", conv(k, stride, out), in);
            g.addLayer(name + "_bn", bn(), name + "_conv");
            g.addLayer(name + "_activation", swish(), name + "_bn");
            return name + "_activation";
        }

        String mbConv(String id, String in, int inChannels, int expand, int k, int stride, int out) {
            int wide = inChannels * expand;
            String x = in;
            if (expand != 1) {
                g.addLayer(id + "expand_conv", conv(1, 1, wide), x);
                g.addLayer(id + "expand_bn", bn(), id + "expand_conv");
                g.addLayer(id + "expand_activation", swish(), id + "expand_bn");
                x = id + "expand_activation";
            }
            g.addLayer(
                    id + "dwconv",
                    new DepthwiseConvolution2D.Builder(k, k)
                            .stride(stride, stride)
                            .depthMultiplier(1)
                            .hasBias(false)
                            .activation(Activation.IDENTITY)
                            .dataFormat(f)
                            .build(),
                    x);
            g.addLayer(id + "bn", bn(), id + "dwconv");
            g.addLayer(id + "activation", swish(), id + "bn");
            x = id + "activation";
            // squeeze-and-excitation, reduced to a quarter of the block's input channels (not the expanded ones)
            int squeezed = Math.max(1, inChannels / 4);
            g.addLayer(id + "se_squeeze", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
            g.addLayer(
                    id + "se_reduce",
                    new DenseLayer.Builder()
                            .nOut(squeezed)
                            .activation(Activation.SWISH)
                            .build(),
                    id + "se_squeeze");
            g.addLayer(
                    id + "se_expand",
                    new DenseLayer.Builder()
                            .nOut(wide)
                            .activation(Activation.SIGMOID)
                            .weightInit(WeightInit.XAVIER)
                            .build(),
                    id + "se_reduce");
            g.addVertex(id + "se_excite", new ScaleChannelsVertex(f), x, id + "se_expand");
            g.addLayer(id + "project_conv", conv(1, 1, out), id + "se_excite");
            g.addLayer(id + "project_bn", bn(), id + "project_conv");
            String last = id + "project_bn";
            if (stride == 1 && inChannels == out) {
                g.addVertex(id + "add", new ElementWiseVertex(ElementWiseVertex.Op.Add), last, in);
                last = id + "add";
            }
            // a named identity, so that every block ends in "<id>out" whatever its shape
            g.addLayer(
                    id + "out",
                    new ActivationLayer.Builder()
                            .activation(Activation.IDENTITY)
                            .build(),
                    last);
            return id + "out";
        }

        private ConvolutionLayer conv(int k, int stride, int out) {
            return new ConvolutionLayer.Builder(k, k)
                    .stride(stride, stride)
                    .nOut(out)
                    .hasBias(false)
                    .activation(Activation.IDENTITY)
                    .dataFormat(f)
                    .build();
        }

        private BatchNormalization bn() {
            return new BatchNormalization.Builder()
                    .eps(BN_EPS)
                    .decay(BN_DECAY)
                    .dataFormat(f)
                    .build();
        }

        private static ActivationLayer swish() {
            return new ActivationLayer.Builder().activation(Activation.SWISH).build();
        }
    }
}

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
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * ResNet-50 as He et al. (2015) and torchvision define it, built here because DL4J 1.0.0-M2.1's zoo class is
 * not that network (stride 2 already in stage 2's first block, a 3x3 max pool for "avgpool"; DL4J issue #5463).
 *
 * <p>Stem: 7x7/2 convolution (pad 3), batch norm, ReLU, 3x3/2 max pool (pad 1). Four stages of bottleneck
 * blocks (3, 4, 6, 3 blocks; widths 64/128/256/512, expansion 4); stage 2 keeps stride 1, stages 3-5 halve the
 * size in their first block, on the first 1x1 ({@link ResNet50Variant#V1}) or on the 3x3 ({@link
 * ResNet50Variant#V1_5}). Every convolution is followed by batch norm (eps 1e-5, momentum 0.1) and has no bias,
 * as in the paper's Caffe model and torchvision (a bias before batch norm is cancelled by it). Global average
 * pooling, then a dense softmax head when classes are asked for. At 224 px the stages output 56/28/14/7 and the
 * network has 25,557,032 trainable parameters (DL4J also stores each batch norm's running mean and variance as
 * parameters: 53,120 more). Any input of at least 32 px works (stage 5 is then 1x1).
 *
 * <p>Layer names follow Keras's ResNet50 (conv1, bn_conv1, res2a_branch2a, bn2a_branch2a, ..., fc1000), the
 * names ImageNet weight files of this network use.
 */
public final class ResNet50Graph {
    public static final String INPUT = "input";
    /** The pooled 2048-feature vertex. */
    public static final String POOL = "avg_pool";

    public static final String HEAD = "fc1000";
    static final int[] BLOCKS = {3, 4, 6, 3};
    static final int[] WIDTHS = {64, 128, 256, 512};
    static final double BN_EPS = 1e-5;
    static final double BN_DECAY = 0.9;

    private ResNet50Graph() {}

    /** Name of the last activation of each stage (stem pool, then stages 2-5), for checks of their sizes. */
    public static String[] stageOutputs() {
        String[] s = new String[5];
        s[0] = "pool1";
        for (int st = 0; st < 4; st++) {
            s[st + 1] = "res" + blockName(st, BLOCKS[st] - 1) + "_out";
        }
        return s;
    }

    /**
     * @param classes 0 for a feature extractor (output {@value #POOL}, 2048 per image), else a softmax head
     *     {@value #HEAD} with that many classes (1000 for ImageNet weights)
     * @param updater the optimiser for training (benchmarks, fine-tuning); feature extraction ignores it
     */
    public static ComputationGraphConfiguration build(
            ResNet50Variant variant, int size, int classes, long seed, IUpdater updater) {
        return build(variant, size, classes, seed, updater, CNN2DFormat.NCHW);
    }

    /** @param format the activations' layout: NCHW (DL4J's default) or NHWC (channels last) */
    public static ComputationGraphConfiguration build(
            ResNet50Variant variant, int size, int classes, long seed, IUpdater updater, CNN2DFormat format) {
        return build(variant, size, classes, seed, updater, format, false);
    }

    /**
     * The same network for inference only, each batch norm folded into the convolution before it (which gets
     * a bias) and each ReLU that follows a batch norm applied by that convolution: 53 convolutions, 16 adds and
     * 16 ReLUs instead of 53 + 53 batch norms + 49 ReLU layers. Same layer names for the convolutions; its
     * parameters come from a trained graph through {@link BatchNormFolding}.
     */
    public static ComputationGraphConfiguration buildFolded(ResNet50Variant variant, int size, CNN2DFormat format) {
        return build(variant, size, 0, 0, null, format, true);
    }

    private static ComputationGraphConfiguration build(
            ResNet50Variant variant,
            int size,
            int classes,
            long seed,
            IUpdater updater,
            CNN2DFormat format,
            boolean folded) {
        if (size < 32) {
            throw new IllegalArgumentException("ResNet50 needs inputs of at least 32 px (5 halvings), got " + size);
        }
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater == null ? new Sgd(0.01) : updater)
                // He et al.'s initialisation for ReLU networks: N(0, 2/fan_in) (the zoo's N(0, 0.5) blows activations
                // up)
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Truncate)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(size, size, 3, format));
        Blocks b = new Blocks(g, format, folded);
        String x = b.convBn("conv1", "bn_conv1", INPUT, 7, 2, 3, 64, true);
        g.addLayer(
                "pool1",
                new SubsamplingLayer.Builder(PoolingType.MAX)
                        .kernelSize(3, 3)
                        .stride(2, 2)
                        .padding(1, 1)
                        .dataFormat(format)
                        .build(),
                x);
        x = "pool1";
        for (int st = 0; st < 4; st++) {
            for (int k = 0; k < BLOCKS[st]; k++) {
                int stride = st > 0 && k == 0 ? 2 : 1;
                x = b.bottleneck(blockName(st, k), x, WIDTHS[st], stride, k == 0, variant);
            }
        }
        g.addLayer(POOL, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
        return ClassifierHead.finish(g, POOL, HEAD, classes, 1);
    }

    /** Keras's block names: stage 2 block a = "2a", ..., stage 5 block c = "5c". */
    static String blockName(int stage, int block) {
        return (stage + 2) + String.valueOf((char) ('a' + block));
    }

    /** The batch norm that follows a convolution: conv1 -> bn_conv1, res2a_branch2a -> bn2a_branch2a. */
    static String bnOf(String conv) {
        return conv.equals("conv1") ? "bn_conv1" : "bn" + conv.substring(3);
    }

    /** Adds the convolution + batch norm (+ ReLU) units and bottleneck blocks, as trained or folded. */
    private record Blocks(ComputationGraphConfiguration.GraphBuilder g, CNN2DFormat f, boolean folded) {
        /** @return the unit's output vertex */
        String convBn(String convName, String bnName, String in, int k, int stride, int pad, int out, boolean relu) {
            if (folded) {
                g.addLayer(
                        convName,
                        new ConvolutionLayer.Builder(k, k)
                                .stride(stride, stride)
                                .padding(pad, pad)
                                .nOut(out)
                                .hasBias(true)
                                .activation(relu ? Activation.RELU : Activation.IDENTITY)
                                .dataFormat(f)
                                .build(),
                        in);
                return convName;
            }
            g.addLayer(convName, conv(k, stride, pad, out, f), in);
            g.addLayer(bnName, bn(f), convName);
            if (!relu) {
                return bnName;
            }
            g.addLayer(
                    convName + "_relu",
                    new ActivationLayer.Builder().activation(Activation.RELU).build(),
                    bnName);
            return convName + "_relu";
        }

        String bottleneck(String id, String in, int width, int stride, boolean project, ResNet50Variant variant) {
            int s1 = variant == ResNet50Variant.V1 ? stride : 1;
            int s3 = variant == ResNet50Variant.V1 ? 1 : stride;
            String a = convBn("res" + id + "_branch2a", "bn" + id + "_branch2a", in, 1, s1, 0, width, true);
            String b = convBn("res" + id + "_branch2b", "bn" + id + "_branch2b", a, 3, s3, 1, width, true);
            String c = convBn("res" + id + "_branch2c", "bn" + id + "_branch2c", b, 1, 1, 0, 4 * width, false);
            String shortcut = project
                    ? convBn("res" + id + "_branch1", "bn" + id + "_branch1", in, 1, stride, 0, 4 * width, false)
                    : in;
            g.addVertex("res" + id + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), c, shortcut);
            g.addLayer(
                    "res" + id + "_out",
                    new ActivationLayer.Builder().activation(Activation.RELU).build(),
                    "res" + id + "_add");
            return "res" + id + "_out";
        }
    }

    private static ConvolutionLayer conv(int k, int stride, int pad, int out, CNN2DFormat f) {
        return new ConvolutionLayer.Builder(k, k)
                .stride(stride, stride)
                .padding(pad, pad)
                .nOut(out)
                .hasBias(false)
                .activation(Activation.IDENTITY)
                .dataFormat(f)
                .build();
    }

    private static BatchNormalization bn(CNN2DFormat f) {
        return new BatchNormalization.Builder()
                .eps(BN_EPS)
                .decay(BN_DECAY)
                .dataFormat(f)
                .build();
    }
}

package com.cosmicmorphology.training.backbone;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * ViT-Ti/16 (Dosovitskiy et al. 2021; the "Tiny" size of Touvron et al.'s DeiT, timm's
 * {@code vit_tiny_patch16_224}): 16x16 patches embedded to 192 channels by a 16x16/16 convolution
 * ({@value #PATCH_EMBED}), a class token and learned position embeddings ({@value #TOKENS},
 * {@link PatchTokensLayer}), 12 pre-norm encoder blocks of 3 heads and an MLP of 768 ({@code blocks_0} to
 * {@code blocks_11}, {@link TransformerBlockLayer}), the final layer norm of the class token
 * ({@value #NORM}: the 192 features, {@link ClassTokenLayer}), then a softmax head when classes are asked for.
 * The input side must be a multiple of 16 of at least 32; at 224 px that is 196 patches + 1 class token, and with
 * 1000 classes 5,717,416 parameters, timm's count. Dropout and stochastic depth (DeiT's training regularisers)
 * are left out.
 */
public final class VitTinyGraph {
    public static final String INPUT = "input";
    public static final String PATCH_EMBED = "patch_embed";
    public static final String TOKENS = "tokens";
    public static final String NORM = "norm";
    public static final String HEAD = "head";
    public static final int PATCH = 16;
    public static final int WIDTH = 192;
    public static final int DEPTH = 12;
    public static final int HEADS = 3;
    public static final int MLP = 768;

    private VitTinyGraph() {}

    /** The name of encoder block {@code i} (0-based, as timm's {@code blocks.i}). */
    public static String block(int i) {
        return "blocks_" + i;
    }

    /**
     * @param classes 0 for a feature extractor (output {@value #NORM}, 192 per image), else a softmax head
     * @param format the input's layout: NCHW or NHWC (channels last)
     */
    public static ComputationGraphConfiguration build(
            int size, int classes, long seed, IUpdater updater, CNN2DFormat format) {
        if (size < 2 * PATCH || size % PATCH != 0) {
            throw new IllegalArgumentException("ViT-Ti/16 needs a side that cuts into whole " + PATCH + " px patches,"
                    + " a multiple of 16 of at least 32 (e.g. 224), got " + size);
        }
        int side = size / PATCH;
        int tokens = side * side + 1;
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater == null ? new Sgd(0.01) : updater)
                .weightInit(WeightInit.LECUN_NORMAL) // the patch embedding's, as ViT's reference code
                .convolutionMode(ConvolutionMode.Truncate)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(size, size, 3, format));
        g.addLayer(
                PATCH_EMBED,
                new ConvolutionLayer.Builder(PATCH, PATCH)
                        .stride(PATCH, PATCH)
                        .nOut(WIDTH)
                        .activation(Activation.IDENTITY)
                        .dataFormat(format)
                        .build(),
                INPUT);
        g.addLayer(TOKENS, new PatchTokensLayer(WIDTH, side * side, format), PATCH_EMBED);
        String x = TOKENS;
        for (int i = 0; i < DEPTH; i++) {
            g.addLayer(block(i), new TransformerBlockLayer(WIDTH, tokens, HEADS, MLP), x);
            x = block(i);
        }
        g.addLayer(NORM, new ClassTokenLayer(WIDTH), x);
        return ClassifierHead.finish(g, NORM, HEAD, classes, 1);
    }
}

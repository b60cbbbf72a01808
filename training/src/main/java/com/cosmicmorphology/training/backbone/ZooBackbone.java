package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.training.model.ModelArchiveCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J zoo networks as feature extractors: SqueezeNet v1.1 (512 features, pooled fire9). Checked against the
 * v1.1 reference (DeepScale/SqueezeNet, Caffe): 3x3/2 conv1 with 64 filters, max pools after conv1, fire3 and
 * fire5, fire modules 2-9 with the published squeeze/expand widths, 1,235,496 parameters as published; its
 * Truncate pooling gives the same 111/55/27/13 sizes as Caffe's ceil mode at 224 px. (ResNet50 is not taken from
 * the zoo: see {@link ResNet50Graph}.) ImageNet weights are used when their file is in the weights directory
 * as DL4J expects it; otherwise the network starts from random weights only if allowed, else the job stops
 * naming the file to place.
 */
public final class ZooBackbone implements Backbone {
    private final String name;
    private final int size;
    private final boolean pretrained;
    private final ComputationGraph graph;
    private final String weightsFile;
    /** Of the ImageNet weights file; null for random weights. */
    private final String weightsSha256;

    public ZooBackbone(String name, int size, Path weightsDir, boolean allowRandom, long seed) {
        this.name = name;
        this.size = size;
        // DL4J looks for weights under <base>/models/<model>/; the base is this system property
        System.setProperty("org.deeplearning4j.dl4jresources.directory", weightsDir.toString());
        ZooModel zoo = switch (name) {
            case "squeezenet" ->
                SqueezeNet.builder()
                        .numClasses(1000)
                        .seed(seed)
                        .inputShape(new int[] {3, size, size})
                        .build();
            default ->
                throw new CosmicException(
                        ExitCode.USAGE,
                        "training.backbone '" + name
                                + "' is not a zoo model; valid values: keras-h5, resnet50, squeezenet, efficientnet-b0, vit-tiny");
        };
        String file = "squeezenet_dl4j_inference.v2.zip";
        Path expected = weightsDir.resolve("models").resolve(name).resolve(file);
        this.weightsFile = expected.toString();
        ComputationGraph g;
        if (Files.isRegularFile(expected) && zoo.pretrainedAvailable(PretrainedType.IMAGENET)) {
            // DL4J's zoo opens the file with ModelSerializer, which trusts its entries: check them first
            new ModelArchiveCheck().check(expected, "replace it with DL4J's " + file);
            try {
                g = (ComputationGraph) zoo.initPretrained(PretrainedType.IMAGENET);
            } catch (Exception e) {
                throw new CosmicException(
                        ExitCode.USAGE,
                        "ImageNet weights " + expected + " did not load (" + e.getMessage()
                                + "); replace the file with DL4J's " + file + " (its checksum is checked)");
            }
            pretrained = true;
        } else if (allowRandom) {
            g = (ComputationGraph) zoo.init();
            pretrained = false;
        } else {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "no ImageNet weights for " + name + ": place DL4J's " + file + " at "
                            + expected
                            + " (or set training.weights-dir), or set training.allow-random-weights=true to start from "
                            + "random weights");
        }
        this.weightsSha256 = pretrained ? FileSha256.of(expected) : null;
        this.graph = cutToPooledFeatures(g, "fire9", "loss", "softmax", "avg_pool", "conv10_act", "conv10", "drop9");
    }

    /** Removes the zoo head (SqueezeNet's is its 1000-class convolution) and pools the last block globally. */
    private static ComputationGraph cutToPooledFeatures(ComputationGraph g, String lastBlock, String... head) {
        TransferLearning.GraphBuilder b = new TransferLearning.GraphBuilder(g);
        for (String v : head) {
            b.removeVertexAndConnections(v);
        }
        return b.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), lastBlock)
                .setOutputs("gap")
                .build();
    }

    @Override
    public String id() {
        return name + (pretrained ? "_imagenet_" : "_random_") + size;
    }

    @Override
    public int inputSize() {
        return size;
    }

    @Override
    public INDArray features(INDArray nhwc) {
        INDArray out = graph.outputSingle(false, toInput(nhwc));
        return out.rank() > 2 ? out.reshape(out.size(0), out.length() / out.size(0)) : out;
    }

    @Override
    public ComputationGraph graph() {
        return graph;
    }

    @Override
    public INDArray toInput(INDArray nhwc) {
        return nhwc.permute(0, 3, 1, 2).dup();
    }

    @Override
    public org.deeplearning4j.nn.conf.CNN2DFormat inputLayout() {
        return org.deeplearning4j.nn.conf.CNN2DFormat.NCHW;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", name);
        m.put("pretrained", pretrained ? "imagenet" : "random");
        m.put("weights_file", weightsFile);
        if (pretrained) {
            m.put("sha256", weightsSha256);
        }
        m.put("input_size", size);
        m.put("layout", "NCHW");
        m.put("normalisation", "pixel/255");
        return m;
    }
}

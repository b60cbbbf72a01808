package com.cosmicmorphology.training.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A head of 4 features and {@code classes} outputs with the metadata train writes: saved and loaded in milliseconds. */
final class TinyModels {
    static final int FEATURES = 4;

    private TinyModels() {}

    static MultiLayerNetwork head(int classes, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed)
                .list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(FEATURES)
                        .nOut(classes)
                        .activation(Activation.SOFTMAX)
                        .build())
                .build());
        net.init();
        return net;
    }

    static Map<String, Object> metadata(String modelId, List<String> classes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_id", modelId);
        m.put("classes", classes);
        Map<String, Object> backbone = new LinkedHashMap<>();
        backbone.put("type", "keras-h5");
        backbone.put("file", "models/backbone.h5");
        backbone.put("sha256", "ab".repeat(32));
        m.put("backbone", backbone);
        m.put("backbone_id", "keras_backbone_32");
        m.put("input_size", 32);
        m.put("resize_policy", "center-crop");
        m.put("mode", "frozen");
        m.put("feature_views", 1);
        m.put("standardiser_mean", List.of(0.0, 0.0, 0.0, 0.0));
        m.put("standardiser_std", List.of(1.0, 1.0, 1.0, 1.0));
        return m;
    }

    /** Saves a 3-class head under {@code id} into {@code dir}; returns the network. */
    static MultiLayerNetwork save(Path dir, String id, long seed) {
        MultiLayerNetwork net = head(3, seed);
        ModelStore.save(dir, net, metadata(id, List.of("a", "b", "c")));
        return net;
    }

    /** The entries of a zip, in order, read the way DL4J reads them. */
    static Map<String, byte[]> entries(Path zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    /** A zip of these entries, in order. */
    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(buf)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return buf.toByteArray();
    }
}

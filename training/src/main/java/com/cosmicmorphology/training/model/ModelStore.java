package com.cosmicmorphology.training.model;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A model directory: {@code head.zip} (a DL4J model file, ModelSerializer format) and {@code metadata.json}
 * (model_id, classes, backbone, input size and normalisation, mode, hyper-parameters, standardisation, the
 * Delta versions of the tables it was trained on, validation metrics).
 */
public final class ModelStore {
  public static final String MODEL_FILE = "head.zip";
  public static final String METADATA_FILE = "metadata.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A loaded model: the network and its metadata. */
  public record Loaded(MultiLayerNetwork net, Map<String, Object> metadata) {
    @SuppressWarnings("unchecked")
    public List<String> classes() {
      return (List<String>) metadata.get("classes");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> backbone() {
      return (Map<String, Object>) metadata.get("backbone");
    }

    public String modelId() {
      return (String) metadata.get("model_id");
    }

    @SuppressWarnings("unchecked")
    public float[] floats(String key) {
      List<Number> l = (List<Number>) metadata.get(key);
      float[] f = new float[l.size()];
      for (int i = 0; i < f.length; i++) {
        f[i] = l.get(i).floatValue();
      }
      return f;
    }
  }

  private ModelStore() {}

  public static void save(Path dir, MultiLayerNetwork net, Map<String, Object> metadata) {
    try {
      Files.createDirectories(dir);
      ModelSerializer.writeModel(net, dir.resolve(MODEL_FILE).toFile(), false);
      JSON.writeValue(dir.resolve(METADATA_FILE).toFile(), metadata);
    } catch (IOException e) {
      throw new CosmicException(ExitCode.STORAGE, "cannot write the model to " + dir + ": " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  public static Loaded load(Path dir) {
    Path meta = dir.resolve(METADATA_FILE);
    Path model = dir.resolve(MODEL_FILE);
    if (!Files.isRegularFile(meta) || !Files.isRegularFile(model)) {
      throw new CosmicException(ExitCode.USAGE, "--model-dir " + dir + " holds no model (" + METADATA_FILE + " and "
          + MODEL_FILE + "); run './cosmic train --model-dir " + dir + "' first");
    }
    try {
      Map<String, Object> m = JSON.readValue(meta.toFile(), Map.class);
      return new Loaded(ModelSerializer.restoreMultiLayerNetwork(model.toFile(), false), m);
    } catch (IOException | RuntimeException e) {
      throw new CosmicException(ExitCode.USAGE, "model in " + dir + " cannot be read: " + e.getMessage(), e);
    }
  }
}

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
  /** Frozen mode saves the head (a MultiLayerNetwork); fine-tune mode the whole network (a ComputationGraph). */
  public static final String MODEL_FILE = "head.zip";
  public static final String NETWORK_FILE = "network.zip";
  public static final String METADATA_FILE = "metadata.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A loaded model: the network and its metadata. */
  public record Loaded(org.deeplearning4j.nn.api.Model model, Map<String, Object> metadata) {
    public MultiLayerNetwork net() {
      return (MultiLayerNetwork) model;
    }

    public org.deeplearning4j.nn.graph.ComputationGraph graph() {
      return (org.deeplearning4j.nn.graph.ComputationGraph) model;
    }

    public boolean fineTuned() {
      return "fine-tune".equals(metadata.get("mode"));
    }

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

  public static void save(Path dir, org.deeplearning4j.nn.api.Model net, Map<String, Object> metadata) {
    try {
      Files.createDirectories(dir);
      String file = net instanceof MultiLayerNetwork ? MODEL_FILE : NETWORK_FILE;
      Files.deleteIfExists(dir.resolve(MODEL_FILE));
      Files.deleteIfExists(dir.resolve(NETWORK_FILE));
      metadata.put("model_file", file);
      ModelSerializer.writeModel(net, dir.resolve(file).toFile(), false);
      JSON.writeValue(dir.resolve(METADATA_FILE).toFile(), metadata);
    } catch (IOException e) {
      throw new CosmicException(ExitCode.STORAGE, "cannot write the model to " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Records an evaluation in {@code metadata.json} under {@code evaluations.<split>}, beside the
   * cross-validation estimate the model was selected with: one file tells what was expected and what a held-out
   * split then showed. Written to a temporary file and moved over the old one, so a failed write leaves the
   * previous metadata whole.
   */
  @SuppressWarnings("unchecked")
  public static void recordEvaluation(Path dir, String split, Map<String, Object> figures) {
    Path meta = dir.resolve(METADATA_FILE);
    try {
      Map<String, Object> m = JSON.readValue(meta.toFile(), Map.class);
      Map<String, Object> evaluations = (Map<String, Object>) m.computeIfAbsent("evaluations",
          k -> new java.util.LinkedHashMap<String, Object>());
      evaluations.put(split, figures);
      Path tmp = Files.createTempFile(dir, ".metadata", ".json");
      JSON.writeValue(tmp.toFile(), m);
      Files.move(tmp, meta, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CosmicException(ExitCode.STORAGE, "cannot record the " + split + " evaluation in " + meta + ": "
          + e.getMessage(), e);
    }
  }

  /** The metadata alone (no network is read); empty when the directory holds no model yet. */
  @SuppressWarnings("unchecked")
  public static java.util.Optional<Map<String, Object>> metadata(Path dir) {
    Path meta = dir.resolve(METADATA_FILE);
    if (!Files.isRegularFile(meta)) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(JSON.readValue(meta.toFile(), Map.class));
    } catch (IOException e) {
      throw new CosmicException(ExitCode.USAGE, "model metadata " + meta + " cannot be read: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  public static Loaded load(Path dir) {
    Path meta = dir.resolve(METADATA_FILE);
    if (!Files.isRegularFile(meta)) {
      throw new CosmicException(ExitCode.USAGE, "--model-dir " + dir + " holds no model (no " + METADATA_FILE
          + "); run './cosmic train --model-dir " + dir + "' first");
    }
    try {
      Map<String, Object> m = JSON.readValue(meta.toFile(), Map.class);
      Path model = dir.resolve((String) m.getOrDefault("model_file", MODEL_FILE));
      if (!Files.isRegularFile(model)) {
        throw new CosmicException(ExitCode.USAGE, "--model-dir " + dir + " lacks " + model.getFileName()
            + "; run './cosmic train --model-dir " + dir + "' again");
      }
      return new Loaded(model.getFileName().toString().equals(NETWORK_FILE)
          ? ModelSerializer.restoreComputationGraph(model.toFile(), false)
          : ModelSerializer.restoreMultiLayerNetwork(model.toFile(), false), m);
    } catch (CosmicException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new CosmicException(ExitCode.USAGE, "model in " + dir + " cannot be read: " + e.getMessage(), e);
    }
  }
}

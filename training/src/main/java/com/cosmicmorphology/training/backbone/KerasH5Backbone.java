package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;

/** Any Keras .h5 feature extractor (channels_last, pixel/255), imported with KerasModelImport. */
public final class KerasH5Backbone implements Backbone {
  private final Path file;
  private final ComputationGraph graph;
  private final int size;
  private final String sha256;

  public KerasH5Backbone(Path file, int size) {
    if (!Files.isRegularFile(file)) {
      throw new CosmicException(ExitCode.USAGE, "Keras backbone " + file + " does not exist; set training.keras-model "
          + "to an .h5 file (the repository ships models/mobilenet_v2_imagenet_block10_features.h5)");
    }
    this.file = file;
    this.size = size;
    try {
      this.sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
      this.graph = KerasModelImport.importKerasModelAndWeights(file.toString(), false);
    } catch (Exception e) {
      throw new CosmicException(ExitCode.USAGE, "cannot import Keras model " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String id() {
    String name = file.getFileName().toString().replaceAll("\\.h5$", "").replaceAll("[^A-Za-z0-9_]", "_");
    return "keras_" + name.toLowerCase() + "_" + size;
  }

  @Override
  public int inputSize() {
    return size;
  }

  @Override
  public ComputationGraph graph() {
    return graph;
  }

  @Override
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "keras-h5");
    m.put("file", file.toString());
    m.put("sha256", sha256);
    m.put("input_size", size);
    m.put("layout", "NHWC");
    m.put("normalisation", "pixel/255");
    return m;
  }
}

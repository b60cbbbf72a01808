package com.cosmicmorphology.training.model;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    /** Metadata runs to kilobytes (the list of training images is the longest part). */
    static final long MAX_METADATA_BYTES = 64L << 20;

    /** A loaded model: the network and its metadata. */
    public record Loaded(org.deeplearning4j.nn.api.Model model, Map<String, Object> metadata) {
        public MultiLayerNetwork net() {
            return (MultiLayerNetwork) model;
        }

        public org.deeplearning4j.nn.graph.ComputationGraph graph() {
            return (org.deeplearning4j.nn.graph.ComputationGraph) model;
        }

        public boolean fineTuned() {
            return com.cosmicmorphology.common.config.TrainingMode.FINE_TUNE
                    .key()
                    .equals(metadata.get("mode"));
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

    /**
     * Saves a model so that a crash at any moment leaves either the previous model or the new one, whole: both
     * files are written into a staging directory beside {@code dir} and swapped in by rename
     * ({@link ModelDirSwap}). The directory is replaced as a whole (the old model's confusion charts go with it),
     * so it must hold nothing but a model's files.
     */
    public static void save(Path dir, org.deeplearning4j.nn.api.Model net, Map<String, Object> metadata) {
        save(dir, net, metadata, new ModelDirSwap());
    }

    static void save(Path dir, org.deeplearning4j.nn.api.Model net, Map<String, Object> metadata, ModelDirSwap swap) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new CosmicException(
                    ExitCode.USAGE, "--model-dir " + dir + " is a file, not a directory; give a directory");
        }
        List<String> foreign = foreignFiles(dir);
        if (!foreign.isEmpty()) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "--model-dir " + dir + " holds files that are not a model's ("
                            + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
                            + (foreign.size() > 5 ? ", ..." : "")
                            + "), and saving replaces the whole directory; give an empty or new directory, or a model directory");
        }
        String file = net instanceof MultiLayerNetwork ? MODEL_FILE : NETWORK_FILE;
        metadata.put("model_file", file);
        try {
            swap.replace(dir, staging -> {
                ModelSerializer.writeModel(net, staging.resolve(file).toFile(), false);
                JSON.writeValue(staging.resolve(METADATA_FILE).toFile(), metadata);
                // on disk before the rename makes them the model: a power cut must not leave a renamed empty file
                for (String f : List.of(file, METADATA_FILE)) {
                    try (FileChannel c = FileChannel.open(staging.resolve(f), StandardOpenOption.WRITE)) {
                        c.force(true);
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            if (e instanceof CosmicException c) {
                throw c;
            }
            throw new CosmicException(
                    ExitCode.STORAGE,
                    "cannot write the model to " + dir + " (" + e.getMessage()
                            + "); the previous model there, if any, is unchanged",
                    e);
        }
    }

    /** What a model directory may hold besides its model: evaluate's charts and recordEvaluation's temporaries. */
    private static List<String> foreignFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !(n.equals(MODEL_FILE)
                            || n.equals(NETWORK_FILE)
                            || n.equals(METADATA_FILE)
                            || n.matches("confusion_[a-z]+\\.png")
                            || n.matches("\\.metadata.*\\.json")))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CosmicException(ExitCode.STORAGE, "cannot list --model-dir " + dir + ": " + e.getMessage(), e);
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
            Map<String, Object> evaluations = (Map<String, Object>)
                    m.computeIfAbsent("evaluations", k -> new java.util.LinkedHashMap<String, Object>());
            evaluations.put(split, figures);
            Path tmp = Files.createTempFile(dir, ".metadata", ".json");
            JSON.writeValue(tmp.toFile(), m);
            Files.move(
                    tmp,
                    meta,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CosmicException(
                    ExitCode.STORAGE,
                    "cannot record the " + split + " evaluation in " + meta + ": " + e.getMessage(),
                    e);
        }
    }

    /** The metadata alone (no network is read); empty when the directory holds no model yet. */
    @SuppressWarnings("unchecked")
    public static java.util.Optional<Map<String, Object>> metadata(Path dir) {
        Path meta = ModelDirSwap.readable(dir, METADATA_FILE).resolve(METADATA_FILE);
        if (!Files.isRegularFile(meta)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(JSON.readValue(meta.toFile(), Map.class));
        } catch (IOException e) {
            throw new CosmicException(
                    ExitCode.USAGE, "model metadata " + meta + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a model, checking before DL4J opens anything: {@code metadata.json}'s fields
     * ({@link ModelMetadataCheck}), then the model file's entries ({@link ModelArchiveCheck}: nothing DL4J would
     * Java-deserialize, no zip bomb); DL4J then parses the very bytes that were checked. After an interrupted save
     * the previous model is read from where the save kept it.
     */
    @SuppressWarnings("unchecked")
    public static Loaded load(Path dir) {
        Path from = ModelDirSwap.readable(dir, METADATA_FILE);
        Path meta = from.resolve(METADATA_FILE);
        if (!Files.isRegularFile(meta)) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "--model-dir " + dir + " holds no model (no " + METADATA_FILE
                            + "); run './cosmic train --model-dir " + dir + "' first");
        }
        String remedy = "re-train with './cosmic train --model-dir " + dir + "', or re-export the model with DL4J's "
                + "ModelSerializer.writeModel(model, file, false) (no normalizer, no preprocessor)";
        Map<String, Object> m;
        try {
            if (Files.size(meta) > MAX_METADATA_BYTES) {
                throw new CosmicException(
                        ExitCode.USAGE,
                        meta + " is " + Files.size(meta) + " bytes, over " + MAX_METADATA_BYTES
                                + " for a model's metadata; " + remedy);
            }
            m = JSON.readValue(meta.toFile(), Map.class);
        } catch (CosmicException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CosmicException(
                    ExitCode.USAGE, meta + " is not a model's metadata (" + e.getMessage() + "); " + remedy, e);
        }
        if (m == null) {
            throw new CosmicException(ExitCode.USAGE, meta + " is empty; " + remedy);
        }
        ModelMetadataCheck check = new ModelMetadataCheck(dir);
        Path model = from.resolve(check.beforeLoad(m).getFileName());
        if (!Files.isRegularFile(model, LinkOption.NOFOLLOW_LINKS)) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "--model-dir " + dir + " lacks " + model.getFileName()
                            + " (or it is not a plain file); run './cosmic train --model-dir " + dir + "' again");
        }
        byte[] bytes = new ModelArchiveCheck().read(model, remedy);
        org.deeplearning4j.nn.api.Model net;
        try {
            net = model.getFileName().toString().equals(NETWORK_FILE)
                    ? ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), false)
                    : ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), false);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "model file " + model + " cannot be read by DL4J ("
                            + e.getClass().getSimpleName() + ": " + e.getMessage() + "); " + remedy,
                    e);
        }
        check.afterLoad(m, net);
        return new Loaded(net, m);
    }
}

package com.cosmicmorphology.training.model;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Checks a model's {@code metadata.json} before anything acts on it. The file is as open to editing as any
 * other: its file name decides what is opened (a path would reach outside the model directory), its class
 * list labels every prediction (a list that does not match the network's outputs mislabels them or fails deep
 * in scoring), its backbone hash is what ties the model to the backbone it was trained on, and its sizes say how
 * much is allocated per image. Each violation is one error naming the field.
 */
public final class ModelMetadataCheck {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> BACKBONES = java.util.Arrays.stream(
                    com.cosmicmorphology.common.config.BackboneKind.values())
            .map(com.cosmicmorphology.common.config.BackboneKind::key)
            .collect(java.util.stream.Collectors.toSet());
    private static final Set<String> MODES = java.util.Arrays.stream(
                    com.cosmicmorphology.common.config.TrainingMode.values())
            .map(com.cosmicmorphology.common.config.TrainingMode::key)
            .collect(java.util.stream.Collectors.toSet());
    /** Far above any input a backbone here takes; bounds the per-image buffers (size x size x 3). */
    static final int MAX_INPUT_SIZE = 4096;
    /** The dihedral group has 8 elements. */
    static final int MAX_VIEWS = 8;

    private final Path dir;

    public ModelMetadataCheck(Path dir) {
        this.dir = dir;
    }

    /** Checks what can be checked before the network is opened; returns the model file to open. */
    public Path beforeLoad(Map<String, Object> m) {
        text(m, "model_id");
        Object f = m.getOrDefault("model_file", ModelStore.MODEL_FILE);
        if (!(f instanceof String file) || !plainName(file)) {
            throw bad(
                    "model_file",
                    "is " + show(f) + "; it must be a plain file name inside the model directory (no "
                            + "'/', '\\', '..', drive or absolute path)");
        }
        String mode = text(m, "mode");
        if (!MODES.contains(mode)) {
            throw bad("mode", "is '" + mode + "'; valid values: frozen, fine-tune");
        }
        String expected = mode.equals("frozen") ? ModelStore.MODEL_FILE : ModelStore.NETWORK_FILE;
        if (!file.equals(expected)) {
            throw bad("model_file", "is '" + file + "', but a " + mode + " model is saved as " + expected);
        }
        List<?> classes = list(m, "classes");
        Set<String> distinct = new HashSet<>();
        for (Object c : classes) {
            if (!(c instanceof String s) || s.isBlank() || !distinct.add(s)) {
                throw bad("classes", "holds " + show(c) + "; classes are distinct, non-empty names");
            }
        }
        if (classes.size() < 2) {
            throw bad("classes", "holds " + classes.size() + " class; a classifier has at least 2");
        }
        if (!(m.get("backbone") instanceof Map<?, ?> backbone)) {
            throw bad("backbone", "is missing or not an object");
        }
        Object type = backbone.get("type");
        if (!(type instanceof String t) || !BACKBONES.contains(t)) {
            throw bad("backbone.type", "is " + show(type) + "; valid values: " + new java.util.TreeSet<>(BACKBONES));
        }
        // a backbone loaded from a file is only the one trained on if its hash says so; random weights have no file
        boolean fromFile = type.equals("keras-h5") || "imagenet".equals(backbone.get("pretrained"));
        Object sha = backbone.get("sha256");
        if (fromFile && !(sha instanceof String s && SHA256.matcher(s).matches())) {
            throw bad(
                    "backbone.sha256",
                    (sha == null ? "is missing" : "is " + show(sha) + ", not a SHA-256")
                            + "; it identifies the backbone file the model was trained on");
        }
        if (type.equals("keras-h5") && !(backbone.get("file") instanceof String)) {
            throw bad("backbone.file", "is missing; it names the Keras file the model was trained on");
        }
        text(m, "backbone_id");
        number(m, "input_size", 1, MAX_INPUT_SIZE);
        number(m, "feature_views", 1, MAX_VIEWS);
        String policy = text(m, "resize_policy");
        try {
            com.cosmicmorphology.common.config.ResizePolicy.parse(policy);
        } catch (RuntimeException e) {
            throw bad("resize_policy", "is '" + policy + "'; valid values: center-crop, pad");
        }
        if (mode.equals("frozen")) {
            int n = numbers(m, "standardiser_mean");
            if (numbers(m, "standardiser_std") != n) {
                throw bad(
                        "standardiser_std",
                        "has " + list(m, "standardiser_std").size() + " values, standardiser_mean " + n);
            }
        }
        return dir.resolve(file);
    }

    /** Checks the opened network against the metadata: one output per class, one head input per feature. */
    public void afterLoad(Map<String, Object> m, Model model) {
        int classes = list(m, "classes").size();
        long outputs;
        if (model instanceof MultiLayerNetwork net) {
            outputs = net.layerSize(net.getnLayers() - 1);
            int n = list(m, "standardiser_mean").size();
            if (net.layerInputSize(0) != n) {
                throw bad(
                        "standardiser_mean",
                        "has " + n + " values, but the network takes " + net.layerInputSize(0) + " features");
            }
        } else if (model instanceof ComputationGraph graph) {
            List<String> out = graph.getConfiguration().getNetworkOutputs();
            if (out.size() != 1) {
                throw new CosmicException(
                        ExitCode.USAGE,
                        "the network in " + dir + " has " + out.size() + " outputs, not 1; " + retrain());
            }
            outputs = graph.layerSize(out.get(0));
        } else {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "the model in " + dir + " is a " + model.getClass().getSimpleName()
                            + ", not a network this project saves; " + retrain());
        }
        if (outputs != classes) {
            throw bad("classes", "lists " + classes + " classes, but the network has " + outputs + " outputs");
        }
    }

    /** No separator, no parent step, no drive or root: the name resolves to a file directly in the directory. */
    static boolean plainName(String name) {
        if (name.isEmpty()
                || name.equals(".")
                || name.equals("..")
                || name.contains("/")
                || name.contains("\\")
                || name.contains(":")
                || name.chars().anyMatch(Character::isISOControl)) {
            return false;
        }
        Path p = Path.of(name);
        return !p.isAbsolute()
                && p.getNameCount() == 1
                && p.getFileName().toString().equals(name);
    }

    private String text(Map<String, Object> m, String field) {
        Object v = m.get(field);
        if (!(v instanceof String s)
                || s.isBlank()
                || s.length() > 500
                || s.chars().anyMatch(Character::isISOControl)) {
            throw bad(field, v == null ? "is missing" : "is " + show(v) + "; it must be a short line of text");
        }
        return s;
    }

    private List<?> list(Map<String, Object> m, String field) {
        if (!(m.get(field) instanceof List<?> l)) {
            throw bad(field, m.get(field) == null ? "is missing" : "is not a list");
        }
        return l;
    }

    private void number(Map<String, Object> m, String field, int min, int max) {
        Object v = m.get(field);
        if (!(v instanceof Integer i) || i < min || i > max) {
            throw bad(
                    field,
                    (v == null ? "is missing" : "is " + show(v)) + "; it must be a whole number from " + min + " to "
                            + max);
        }
    }

    private int numbers(Map<String, Object> m, String field) {
        List<?> l = list(m, field);
        for (Object v : l) {
            if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw bad(field, "holds " + show(v) + "; it must hold finite numbers");
            }
        }
        if (l.isEmpty()) {
            throw bad(field, "is empty");
        }
        return l.size();
    }

    private CosmicException bad(String field, String why) {
        return new CosmicException(
                ExitCode.USAGE, "model " + dir + ": metadata.json field '" + field + "' " + why + "; " + retrain());
    }

    private String retrain() {
        return "re-train with './cosmic train --model-dir " + dir
                + "' (or restore the model directory as train wrote it)";
    }

    /** A value from the file, quoted, control characters escaped, cut short. */
    private static String show(Object v) {
        String s = String.valueOf(v);
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.append(s.length() > 79 ? "...'" : "'").toString();
    }
}

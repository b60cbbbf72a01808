package com.cosmicmorphology.common.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds a {@link CosmicConfig}: built-in defaults, then a YAML file, then {@code COSMIC_*} environment
 * variables, then options ({@code key=value}); a later source wins. Every key must exist in the
 * defaults (except inside free-form maps such as {@code spark.conf}); an unknown key or a bad value is
 * rejected with a message naming the key, where it came from and the valid keys or values.
 */
public final class ConfigLoader {
    /** Maps whose keys are the user's own (Spark settings, label renames): not checked against defaults. */
    static final Set<String> FREE_MAPS = Set.of("spark.conf", "nasa.label-map", "ingest.folder-label-map");

    private static final String DEFAULTS = "cosmic-defaults.yaml";
    private static final String ENV_PREFIX = "COSMIC_";

    private final ObjectMapper yaml;
    private final ObjectNode defaults;

    public ConfigLoader() {
        yaml = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
            defaults = (ObjectNode) yaml.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("built-in " + DEFAULTS + " unreadable", e);
        }
    }

    /**
     * @param file YAML file, or null for defaults only
     * @param env environment (System.getenv() in production; a map in tests)
     * @param options {@code key -> value} from the command line, highest precedence
     */
    public CosmicConfig load(Path file, Map<String, String> env, Map<String, String> options) {
        ObjectNode tree = defaults.deepCopy();
        if (file != null) {
            mergeFile(tree, file);
        }
        for (Map.Entry<String, String> e : envOverrides(env).entrySet()) {
            set(tree, e.getKey(), e.getValue(), "environment variable " + envName(e.getKey()));
        }
        for (Map.Entry<String, String> e : options.entrySet()) {
            set(tree, e.getKey(), e.getValue(), "option");
        }
        CosmicConfig config = bind(tree, file);
        ConfigValidator.validate(config);
        return config;
    }

    /** Every settable key (leaf path), for help texts and environment variable discovery. */
    public List<String> keys() {
        List<String> out = new ArrayList<>();
        collectLeaves(defaults, "", out);
        return out;
    }

    /** The environment variable that overrides {@code key}: {@code nasa.http.max-retries -> COSMIC_NASA_HTTP_MAX_RETRIES}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase().replace('.', '_').replace('-', '_');
    }

    private void mergeFile(ObjectNode tree, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist; pass --conf with an existing "
                    + "YAML file (see conf/local.yaml)");
        }
        JsonNode fromFile;
        try {
            fromFile = yaml.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: "
                    + e.getOriginalMessage().replace('\n', ' ') + locationOf(e));
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage());
        }
        if (fromFile == null || fromFile.isMissingNode() || fromFile.isNull()) {
            return; // an empty file changes nothing
        }
        if (!fromFile.isObject()) {
            throw new ConfigException(
                    "config file " + file + " must be a YAML mapping of sections (lake:, spark:, ...)");
        }
        mergeObject(tree, (ObjectNode) fromFile, "", "config file " + file);
    }

    private void mergeObject(ObjectNode target, ObjectNode source, String prefix, String origin) {
        Iterator<Map.Entry<String, JsonNode>> it = source.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode existing = target.get(e.getKey());
            if (existing == null && !FREE_MAPS.contains(prefix)) {
                throw unknownKey(path, target, prefix, origin);
            }
            if (existing != null
                    && existing.isObject()
                    && !FREE_MAPS.contains(path)
                    && e.getValue().isObject()) {
                mergeObject((ObjectNode) existing, (ObjectNode) e.getValue(), path, origin);
            } else if (existing != null && existing.isObject() && !FREE_MAPS.contains(path)) {
                throw new ConfigException(origin + ": '" + path + "' is a section; give it keys: "
                        + String.join(", ", fieldNames(existing)));
            } else {
                target.set(e.getKey(), e.getValue());
            }
        }
    }

    private void set(ObjectNode tree, String key, String value, String origin) {
        String[] parts = key.split("\\.");
        ObjectNode node = tree;
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            String prefixSoFar = prefix.toString();
            if (FREE_MAPS.contains(prefixSoFar)) {
                // spark.conf.spark.sql.foo=bar: the rest of the key is the map key
                node.put(String.join(".", java.util.Arrays.copyOfRange(parts, i, parts.length)), value);
                return;
            }
            JsonNode child = node.get(parts[i]);
            if (child == null || !child.isObject()) {
                throw unknownKey(key, node, prefixSoFar, origin);
            }
            node = (ObjectNode) child;
            prefix.append(prefix.length() == 0 ? "" : ".").append(parts[i]);
        }
        String last = parts[parts.length - 1];
        String parent = prefix.toString();
        if (FREE_MAPS.contains(parent)) {
            node.put(last, value);
            return;
        }
        JsonNode current = node.get(last);
        if (current == null) {
            throw unknownKey(key, node, parent, origin);
        }
        if (current.isObject()) {
            throw new ConfigException(origin + ": '" + key + "' is a section, not a value; valid keys: "
                    + String.join(", ", fieldNames(current)));
        }
        node.set(last, parseScalar(current, value));
    }

    /** Values from env/options are strings: read them as the YAML scalar or comma-separated list they mean. */
    private JsonNode parseScalar(JsonNode current, String value) {
        if (current.isArray()) {
            ArrayNode arr = JsonNodeFactory.instance.arrayNode();
            for (String s : value.split(",")) {
                if (!s.isBlank()) {
                    arr.add(s.trim());
                }
            }
            return arr;
        }
        if (current.isTextual()) {
            return TextNode.valueOf(value);
        }
        try {
            JsonNode parsed = yaml.readTree(value);
            return parsed == null || parsed.isMissingNode() ? TextNode.valueOf(value) : parsed;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(value); // binding reports the type error with the key's name
        }
    }

    private Map<String, String> envOverrides(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : keys()) {
            String v = env.get(envName(key));
            if (v != null) {
                out.put(key, v);
            }
        }
        return out;
    }

    private CosmicConfig bind(ObjectNode tree, Path file) {
        try {
            return yaml.treeToValue(tree, CosmicConfig.class);
        } catch (JsonMappingException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConfigException ce) {
                    throw ce;
                }
            }
            String path = pathOf(e);
            String expected = describeExpected(path);
            throw new ConfigException("bad value for '" + path + "'"
                    + (file != null ? " (from " + file + ", environment or options)" : "")
                    + ": " + e.getOriginalMessage().split("\n")[0].replaceAll(" \\(class [^)]*\\)", "")
                    + (expected.isEmpty() ? "" : "; expected " + expected));
        } catch (JsonProcessingException e) {
            throw new ConfigException("configuration cannot be read: " + e.getOriginalMessage());
        }
    }

    private String describeExpected(String path) {
        JsonNode d = defaults;
        for (String p : path.split("\\.")) {
            d = d == null ? null : d.get(p);
        }
        if (d == null) {
            return "";
        }
        if (d.isIntegralNumber()) {
            return "a whole number like " + d.asText();
        }
        if (d.isBoolean()) {
            return "true or false";
        }
        if (d.isArray()) {
            return "a list";
        }
        return "";
    }

    private static String pathOf(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static ConfigException unknownKey(String key, JsonNode parent, String parentPath, String origin) {
        String where = parentPath.isEmpty() ? "at the top level" : "under '" + parentPath + "'";
        return new ConfigException(origin + ": unknown config key '" + key + "'; valid keys " + where + ": "
                + String.join(", ", fieldNames(parent)));
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void collectLeaves(JsonNode node, String prefix, List<String> out) {
        if (node.isObject() && !FREE_MAPS.contains(prefix)) {
            node.fields()
                    .forEachRemaining(e -> collectLeaves(
                            e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out));
        } else if (!FREE_MAPS.contains(prefix)) {
            out.add(prefix);
        }
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
    }
}

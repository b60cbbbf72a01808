package com.cosmicmorphology.common.labels;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a search term or a class-folder name is spelled as a label: lower case, runs of anything but letters and
 * digits as one underscore ({@code "Black Hole"}, {@code "black-hole"} and {@code "black_hole"} are one label).
 * NASA queries and labelled folders share it; a folder label map is matched on this spelling, so its keys match
 * however a dataset spells its class folders.
 */
public final class LabelNames {
    private LabelNames() {}

    /** The label spelling of {@code name}; a name with no letter or digit at all keeps its own spelling. */
    public static String normalise(String name) {
        String n = name.trim()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "_")
                .replaceAll("^_|_$", "");
        return n.isEmpty() ? name : n;
    }

    /** A label map keyed by the label spelling of its keys, built once per run and looked up per file. */
    public static Map<String, String> byLabelSpelling(Map<String, String> labelMap) {
        Map<String, String> out = new LinkedHashMap<>();
        labelMap.forEach((k, v) -> out.putIfAbsent(normalise(k), v));
        return out;
    }
}

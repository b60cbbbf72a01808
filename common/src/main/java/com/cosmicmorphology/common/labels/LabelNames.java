package com.cosmicmorphology.common.labels;

import java.util.Locale;
import java.util.Map;

/**
 * How a search term or a class-folder name is spelled as a label: lower case, runs of anything but letters and
 * digits as one underscore ({@code "Black Hole"}, {@code "black-hole"} and {@code "black_hole"} are one label).
 * NASA queries and labelled folders share it, so a label map's keys match however a source spells a class.
 */
public final class LabelNames {
    private LabelNames() {}

    public static String normalise(String name) {
        return name.trim()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "_")
                .replaceAll("^_|_$", "");
    }

    /** The mapped class of {@code name} (keys compared normalised), or null when the map does not name it. */
    public static String mapped(Map<String, String> labelMap, String name) {
        String key = normalise(name);
        for (Map.Entry<String, String> e : labelMap.entrySet()) {
            if (normalise(e.getKey()).equals(key)) {
                return e.getValue();
            }
        }
        return null;
    }
}

package com.cosmicmorphology.common.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A command's own options mapped onto configuration keys, the one way every command does it: an option the
 * user did not give (null) leaves its key to the file, the environment and the defaults; a list becomes the
 * comma-separated form the configuration reads.
 */
public final class ConfigOverrides {
    private final Map<String, String> keys = new LinkedHashMap<>();

    /** {@code key = value} when the option was given. */
    public ConfigOverrides set(String key, Object value) {
        if (value instanceof List<?> list) {
            keys.put(key, list.stream().map(String::valueOf).collect(Collectors.joining(",")));
        } else if (value != null) {
            keys.put(key, value.toString());
        }
        return this;
    }

    /** Several keys at once (e.g. the best trial of a search); later sets win. */
    public ConfigOverrides setAll(Map<String, String> more) {
        keys.putAll(more);
        return this;
    }

    public Map<String, String> asMap() {
        return keys;
    }
}

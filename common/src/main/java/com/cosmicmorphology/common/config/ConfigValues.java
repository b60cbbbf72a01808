package com.cosmicmorphology.common.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one spelling rule of enum settings (YAML, options, metadata): a constant's key, and parsing a key back
 * with an error that names the setting and lists the valid values. Enums whose key is not derived from the
 * constant's name (e.g. {@code v1.5}) implement {@link Keyed}.
 */
public final class ConfigValues {
    /** An enum constant with its own spelling. */
    public interface Keyed {
        String key();
    }

    private ConfigValues() {}

    /** {@code CENTER_CROP -> center-crop}. */
    public static String key(Enum<?> constant) {
        return constant instanceof Keyed k
                ? k.key()
                : constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant of {@code type} whose key (or name) is {@code value}, ignoring case.
     *
     * @throws ConfigException naming {@code setting} and the valid values
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String setting, String value) {
        for (E e : type.getEnumConstants()) {
            if (key(e).equalsIgnoreCase(value) || e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new ConfigException(setting + ": '" + value + "' is not valid; valid values: "
                + Arrays.stream(type.getEnumConstants()).map(ConfigValues::key).collect(Collectors.joining(", ")));
    }
}

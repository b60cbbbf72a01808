package com.cosmicmorphology.common.cli;

import java.util.List;

/**
 * How a module adds its commands to {@code ./cosmic} without the launcher depending on it: each module lists
 * an implementation in {@code META-INF/services/com.cosmicmorphology.common.cli.CommandProvider}; the
 * launcher puts every module jar on one classpath. Commands are picocli {@code @Command} objects.
 */
public interface CommandProvider {
    /** Top-level commands (e.g. "ingest" with its sub-commands). */
    List<Object> commands();

    /** Sub-commands of {@code bench} this module brings (e.g. "ingest"). */
    default List<Object> benchmarks() {
        return List.of();
    }
}

package com.cosmicmorphology.ingest;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./cosmic <args>} as its own JVM, the way the launcher runs it: the launcher's heap for ingest
 * (-Xmx1g), this JVM's classpath and Spark's Java 17 flags, output to a log file.
 */
public final class ChildCosmic {
    private ChildCosmic() {}

    public static Process start(Path log, String heap, String... args) throws java.io.IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(heap);
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dio.netty")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "com.cosmicmorphology.common.cli.Cosmic"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** The last lines of a child's log, for a failure message. */
    public static String tail(Path log) throws java.io.IOException {
        List<String> lines = java.nio.file.Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}

package com.cosmicmorphology.common.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** Runs a bench command in this JVM and parses its RESULT line (the contract scripts read). */
public final class BenchOutput {
    public final int exitCode;
    public final String text;
    public final Map<String, String> result;

    private BenchOutput(int exitCode, String text) {
        this.exitCode = exitCode;
        this.text = text;
        String line = text.lines()
                .filter(l -> l.startsWith("RESULT "))
                .reduce((a, b) -> b)
                .orElse("RESULT");
        this.result = Arrays.stream(line.substring(6).trim().split(" "))
                .filter(kv -> kv.contains("="))
                .map(kv -> kv.split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
    }

    public static BenchOutput run(Object command, String... args) {
        StringWriter sw = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(sw, true));
        int rc = cl.execute(args);
        return new BenchOutput(rc, sw.toString());
    }

    public double number(String key) {
        String v = result.get(key);
        if (v == null) {
            throw new AssertionError("RESULT has no " + key + ": " + text);
        }
        return Double.parseDouble(v);
    }
}

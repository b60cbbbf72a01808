package com.cosmicmorphology.common.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The last stdout line of every benchmark (contract): {@code RESULT ours=.. baseline=.. ratio=.. unit=..
 * peak_rss_mb=.. <extra>=..}.
 */
public final class BenchResult {
    private final Map<String, String> fields = new LinkedHashMap<>();

    public BenchResult(String name, double ours, double baseline, String unit) {
        fields.put("bench", name);
        fields.put("ours", fmt(ours));
        if (!Double.isNaN(baseline)) {
            fields.put("baseline", fmt(baseline));
            fields.put("ratio", fmt(ours / baseline));
        }
        fields.put("unit", unit);
    }

    public BenchResult with(String key, Object value) {
        fields.put(key, value instanceof Double d ? fmt(d) : String.valueOf(value));
        return this;
    }

    public String line() {
        fields.putIfAbsent("peak_rss_mb", fmt(peakRssMb())); // a bench whose work ran in child processes gives theirs
        StringBuilder sb = new StringBuilder("RESULT");
        fields.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    /** Peak resident set size of this JVM (VmHWM), in MB; NaN where /proc is absent. */
    public static double peakRssMb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (Exception e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}

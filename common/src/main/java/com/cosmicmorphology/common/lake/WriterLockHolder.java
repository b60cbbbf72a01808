package com.cosmicmorphology.common.lake;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Who holds a lake's writer lock: what the lock file or marker says, so the run that is turned away can name
 * the one in its way (which command, which process on which host, since when).
 */
record WriterLockHolder(String run, String command, String host, long pid, String since) {

    /** This process, about to write the lake with {@code command}. */
    static WriterLockHolder current(String command) {
        return new WriterLockHolder(
                UUID.randomUUID().toString(),
                command,
                hostName(),
                ProcessHandle.current().pid(),
                Instant.now().toString());
    }

    byte[] bytes() {
        return ("run=" + run + "\ncommand=" + command + "\nhost=" + host + "\npid=" + pid + "\nsince=" + since + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Parses what {@link #bytes()} wrote; null when there is nothing to parse (a lock file between runs). */
    static WriterLockHolder parse(String text) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        if (kv.get("run") == null) {
            return null;
        }
        long pid;
        try {
            pid = Long.parseLong(kv.getOrDefault("pid", "-1"));
        } catch (NumberFormatException e) {
            pid = -1;
        }
        return new WriterLockHolder(
                kv.get("run"),
                kv.getOrDefault("command", "?"),
                kv.getOrDefault("host", "?"),
                pid,
                kv.getOrDefault("since", "?"));
    }

    /** For messages: {@code 'ingest nasa' (pid 123 on host h, since 2026-..., run 1a2b...)}. */
    String describe() {
        return "'" + command + "' (pid " + pid + " on host " + host + ", since " + since + ", run " + run + ")";
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown" : env;
        }
    }
}

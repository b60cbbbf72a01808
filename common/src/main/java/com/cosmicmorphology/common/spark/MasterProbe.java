package com.cosmicmorphology.common.spark;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Fails fast on a standalone master nobody answers at. Left to itself, Spark retries for a minute and then
 * reports "All masters are unresponsive" from a background thread while the job dies on an unrelated
 * "LiveListenerBus is stopped"; a TCP connect to each listed master tells the user in seconds, in one line.
 */
final class MasterProbe {
    static final int TIMEOUT_MS = 3000;

    private MasterProbe() {}

    /** @param master {@code spark://host:port[,host:port...]} */
    static void check(String master) {
        List<String> failures = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon > 0 ? hostPort.substring(0, colon) : hostPort;
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : 7077;
            } catch (NumberFormatException e) {
                throw new CosmicException(
                        ExitCode.USAGE,
                        "Spark master URL '" + master + "' has no valid port in '" + hostPort
                                + "'; expected spark://host:port");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
                return; // one reachable master is enough (standby masters are listed too)
            } catch (IOException e) {
                failures.add(
                        hostPort + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        throw new CosmicException(
                ExitCode.REMOTE,
                "cannot reach the Spark master " + master + " (" + String.join("; ", failures)
                        + "); check --master / spark.master and that the master runs (deploy/cluster-start starts one locally)");
    }
}

package com.cosmicmorphology.training.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.cosmicmorphology.common.cli.CosmicException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** bench train at a tiny size: the RESULT line, the work each side did, threads as requested. */
class TrainBenchmarkTest {

    static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch, torchvision").start();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    static Map<String, String> result(String out) {
        String line = out.lines()
                .filter(l -> l.startsWith("RESULT "))
                .reduce((a, b) -> b)
                .orElseThrow();
        return Arrays.stream(line.substring(7).split(" "))
                .map(kv -> kv.split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
    }

    @Test
    void bothSidesRunTheSameNetworkOnTheRequestedThreadsInBothOrders() {
        assumeTrue(torchAvailable(), "Debian's python3-torch is not installed (.ci/run installs it)");
        StringWriter sw = new StringWriter();
        CommandLine cl = new CommandLine(new TrainBenchmark());
        cl.setOut(new PrintWriter(sw, true));
        int rc = cl.execute(
                "--size",
                "32",
                "--batch",
                "2",
                "--warmup",
                "1",
                "--iterations",
                "2",
                "--threads",
                "2",
                "--orders",
                "2");
        assertThat(rc).as(sw.toString()).isZero();
        Map<String, String> r = result(sw.toString());
        double ours = Double.parseDouble(r.get("ours"));
        double baseline = Double.parseDouble(r.get("baseline"));
        assertThat(ours).isPositive();
        assertThat(baseline).isPositive();
        assertThat(Double.parseDouble(r.get("ratio")))
                .isCloseTo(ours / baseline, org.assertj.core.data.Offset.offset(0.002));
        assertThat(Double.parseDouble(r.get("infer_ratio")))
                .isCloseTo(
                        Double.parseDouble(r.get("infer_ours")) / Double.parseDouble(r.get("infer_baseline")),
                        org.assertj.core.data.Offset.offset(0.002));
        assertThat(r)
                .containsEntry("threads_ours", "2")
                .containsEntry("threads_baseline", "2")
                .containsEntry("iterations_ours", "4")
                .containsEntry("iterations_baseline", "4")
                .containsEntry("params", "25557032")
                .containsEntry("variant", "v1.5");
        // 32 px: 0.171 GFLOP counted from DL4J's graph (torchvision's count agreed, else no RESULT)
        assertThat(Double.parseDouble(r.get("forward_gflop"))).isBetween(0.165, 0.175);
        assertThat(Double.parseDouble(r.get("rss_ratio")))
                .isCloseTo(
                        Double.parseDouble(r.get("peak_rss_mb")) / Double.parseDouble(r.get("baseline_peak_rss_mb")),
                        org.assertj.core.data.Offset.offset(0.002));
        assertThat(r.get("peak_rss_mb")).isNotEqualTo(r.get("baseline_peak_rss_mb"));
    }

    @Test
    void aComparisonOfDifferentWorkIsRefused() {
        var d = new TrainBenchmark.Side(
                "dl4j", List.of(1.0), List.of(1.0), 2, 25_557_032, 8.18e9, 100, 900, "", "", Map.of());
        var p = new TrainBenchmark.Side(
                "pytorch", List.of(1.0), List.of(1.0), 1, 25_557_032, 8.18e9, 100, 900, "", "", Map.of());
        assertThatThrownBy(() -> TrainBenchmark.check(d, p, 2))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("threads differ: DL4J 2, PyTorch 1");
        var q = new TrainBenchmark.Side(
                "pytorch", List.of(1.0), List.of(1.0), 2, 23_000_000, 7.0e9, 100, 900, "", "", Map.of());
        assertThatThrownBy(() -> TrainBenchmark.check(d, q, 2))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("parameter counts differ")
                .hasMessageContaining("forward FLOPs differ");
    }
}

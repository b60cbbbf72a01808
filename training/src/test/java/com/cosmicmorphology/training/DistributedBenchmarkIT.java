package com.cosmicmorphology.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench distributed} at a tiny size, as a user runs it: its own JVM with SPARK_HOME assembled by
 * {@code deploy/spark-home} and the shaded training jar (hence an IT, after {@code package}), real executor
 * JVMs (this JVM starts no Spark: integration tests share it). Checks the RESULT line of all three legs
 * (extract, fine-tune, head) on all three sides: it parses, ratio = ours / baseline, each efficiency is the
 * ratio of the figures it names, the images each side worked on, the executors' memory counted.
 */
class DistributedBenchmarkIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    static Path tmp;

    @Test
    void extractionFineTuningAndTheHeadRunOnWorkerJvmsAndAreReportedAgainstTheSingleJvm() throws Exception {
        LakeLayout lake = new LakeLayout(tmp.resolve("lake").toString());
        java(
                List.of(TinyLakeMain.class.getName(), lake.root()),
                Map.of(),
                Path.of("").toAbsolutePath(),
                "lake");
        Path jar = ROOT.resolve("training/target/cosmic-training-0.1.0-SNAPSHOT-spark.jar");
        assertThat(jar).as("run 'mvn package' first").isRegularFile();
        Process home = new ProcessBuilder(
                        ROOT.resolve("deploy/spark-home").toString(),
                        tmp.resolve("spark-home").toString())
                .redirectErrorStream(true)
                .start();
        String sparkHome = new String(home.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(home.waitFor(5, TimeUnit.MINUTES) && home.exitValue() == 0)
                .as(sparkHome)
                .isTrue();
        long inputsBefore =
                Files.walk(Path.of(lake.location(LakeTable.MODEL_INPUTS))).count();

        String out = java(
                List.of(
                        "com.cosmicmorphology.common.cli.Cosmic",
                        "bench",
                        "distributed",
                        "--lake",
                        lake.root(),
                        "--epochs",
                        "3",
                        "--fine-tune-epochs",
                        "2",
                        "--extract-repeats",
                        "1",
                        "--warm-up-epochs",
                        "1",
                        "--spark-jar",
                        jar.toString(),
                        "--executor-memory-mb",
                        "1536",
                        "--set",
                        "training.input-size=" + TrainingTest.SIZE,
                        "--set",
                        "training.feature-views=1",
                        "--set",
                        "inputs.policy=center-crop",
                        "--set",
                        "training.batch-size=8"),
                Map.of("SPARK_HOME", sparkHome, "SPARK_SCALA_VERSION", "2.12"),
                ROOT,
                "bench");

        String line = out.lines()
                .filter(l -> l.startsWith("RESULT "))
                .reduce((a, b) -> b)
                .orElseThrow();
        Map<String, String> r = Arrays.stream(line.substring(7).split(" "))
                .map(kv -> kv.split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
        // the headline: feature extraction, 2 worker JVMs x 1 core over the single JVM
        double ours = number(r, "ours");
        assertThat(ours).isEqualTo(number(r, "extract_2x1_per_s"));
        assertThat(number(r, "baseline")).isEqualTo(number(r, "extract_single_per_s"));
        assertThat(number(r, "ratio")).isCloseTo(ours / number(r, "baseline"), offset(0.002));
        assertThat(number(r, "extract_efficiency")).isCloseTo(number(r, "ratio"), offset(0.002));
        // each side did the work counted: 8 train + 3 val images x 3 classes, 1 view (a side computing fewer
        // vectors fails, and its key would be missing); 24 training images per fine-tune epoch and head epoch
        assertThat(r)
                .containsEntry("extract_passes", "33")
                .containsEntry("finetune_images", "24")
                .containsEntry("head_examples", "24")
                .containsEntry("fine_tune_epochs", "2")
                .containsEntry("epochs", "3");
        for (String leg : List.of("extract", "finetune", "head")) {
            for (String shape : List.of("single", "1x2", "2x1")) {
                assertThat(number(r, leg + "_" + shape + "_per_s"))
                        .as(leg + " " + shape)
                        .isPositive();
            }
            // the executors' memory is counted: one JVM, then two
            assertThat(number(r, leg + "_1x2_executor_rss_mb")).isGreaterThan(100);
            assertThat(number(r, leg + "_2x1_executor_rss_mb")).isGreaterThan(number(r, leg + "_1x2_executor_rss_mb"));
        }
        assertThat(number(r, "finetune_efficiency"))
                .isCloseTo(number(r, "finetune_2x1_per_s") / number(r, "finetune_single_per_s"), offset(0.002));
        assertThat(number(r, "finetune_acc_gap"))
                .isCloseTo(number(r, "finetune_single_val_acc") - number(r, "finetune_2x1_val_acc"), offset(0.002));
        // parameters and Adam's two moments of the trainable layers, float32, to and from the driver
        assertThat(number(r, "finetune_round_mb")).isGreaterThan(1.0);
        assertThat(number(r, "driver_peak_rss_mb")).isGreaterThan(100);
        assertThat(out).contains("scaling model (predicted, not measured)").contains("GFLOP/s");
        // the user's lake was only read: the bench's scratch lake held the copies it wrote to
        assertThat(Files.walk(Path.of(lake.location(LakeTable.MODEL_INPUTS))).count())
                .isEqualTo(inputsBefore);
    }

    private static double number(Map<String, String> r, String key) {
        assertThat(r).as("RESULT key " + key).containsKey(key);
        return Double.parseDouble(r.get(key));
    }

    /** Runs a main class of this build in a JVM of its own (this JVM's flags and classpath): its stdout. */
    private static String java(List<String> mainAndArgs, Map<String, String> env, Path dir, String name)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent"))
                .forEach(cmd::add);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        cmd.addAll(mainAndArgs);
        Path log = tmp.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0)
                .as(out + Files.readString(log))
                .isTrue();
        return out;
    }
}

package com.cosmicmorphology.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.cosmicmorphology.common.lake.LakeLayout;
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
 * JVMs (this JVM starts no Spark: integration tests share it). Checks the RESULT line: it parses, ratio = ours / baseline, the epochs and examples each side trained,
 * the executors' memory counted.
 */
class DistributedBenchmarkIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir static Path tmp;

  @Test
  void theHeadTrainsOnWorkerJvmsAndIsReportedAgainstTheSingleJvm() throws Exception {
    LakeLayout lake = new LakeLayout(tmp.resolve("lake").toString());
    java(List.of(TinyLakeMain.class.getName(), lake.root()), Map.of(), Path.of("").toAbsolutePath(), "lake");
    Path jar = ROOT.resolve("training/target/cosmic-training-0.1.0-SNAPSHOT-spark.jar");
    assertThat(jar).as("run 'mvn package' first").isRegularFile();
    Process home = new ProcessBuilder(ROOT.resolve("deploy/spark-home").toString(), tmp.resolve("spark-home").toString())
        .redirectErrorStream(true).start();
    String sparkHome = new String(home.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(home.waitFor(5, TimeUnit.MINUTES) && home.exitValue() == 0).as(sparkHome).isTrue();

    String out = java(List.of("com.cosmicmorphology.common.cli.Cosmic",
        "bench", "distributed", "--lake", lake.root(), "--epochs", "3", "--spark-jar", jar.toString(),
        "--executor-memory-mb", "1024",
        "--set", "training.input-size=" + TrainingTest.SIZE, "--set", "training.feature-views=1",
        "--set", "inputs.policy=center-crop", "--set", "training.batch-size=8"),
        Map.of("SPARK_HOME", sparkHome, "SPARK_SCALA_VERSION", "2.12"), ROOT, "bench");

    String line = out.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b).orElseThrow();
    Map<String, String> r = Arrays.stream(line.substring(7).split(" ")).map(kv -> kv.split("=", 2))
        .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
    double ours = Double.parseDouble(r.get("ours"));
    double baseline = Double.parseDouble(r.get("baseline"));
    assertThat(Double.parseDouble(r.get("ratio"))).isCloseTo(ours / baseline, offset(0.002));
    assertThat(r).containsEntry("epochs", "3").containsEntry("examples", "24"); // 8 train images x 3 classes, 1 view
    String two = "parameter_averaging_2_worker_jvms_x_1_core_";
    assertThat(Double.parseDouble(r.get(two + "examples_s"))).isEqualTo(ours);
    assertThat(Double.parseDouble(r.get(two + "executor_rss_mb"))).isGreaterThan(100); // two executor JVMs counted
    assertThat(Double.parseDouble(r.get("parameter_averaging_1_worker_jvm_x_2_cores_executor_rss_mb")))
        .isGreaterThan(100);
    assertThat(Double.parseDouble(r.get(two + "val_acc"))).isBetween(0.0, 1.0);
  }

  /** Runs a main class of this build in a JVM of its own (this JVM's flags and classpath): its stdout. */
  private static String java(List<String> mainAndArgs, Map<String, String> env, Path dir, String name)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent")).forEach(cmd::add);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    cmd.addAll(mainAndArgs);
    Path log = tmp.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0).as(out + Files.readString(log)).isTrue();
    return out;
  }
}

package com.cosmicmorphology.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's own life cycle, each case in a fresh JVM: the SparkSession is stopped whatever the command
 * did, and under YARN cluster mode a successful main returns instead of calling System.exit(0) (which YARN's
 * ApplicationMaster reports as a failed application), with no thread left that keeps the JVM alive.
 */
class CosmicMainTest {
    @TempDir
    Path tmp;

    record Child(int code, String out) {}

    private Child java(List<String> props, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a ->
                        a.startsWith("--add-opens") || a.startsWith("-XX:+Ignore") || a.startsWith("-Djdk.reflect"))
                .toList());
        cmd.addAll(props);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MainHarness.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .directory(tmp.toFile())
                .start();
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                out.append(e);
            }
        });
        reader.start();
        // a JVM kept alive by a leftover thread after main shows here as a timeout
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        reader.join(10_000);
        assertThat(ended).as("the JVM did not end after main: " + out).isTrue();
        return new Child(p.exitValue(), out.toString());
    }

    @Test
    void theSessionIsStoppedAfterSuccessAKnownFailureAndAnUnexpectedOne() throws Exception {
        Child c = java(
                List.of(),
                "execute",
                tmp.resolve("lake").toString(),
                "SELECT 1",
                "SELECT * FROM no_such_table",
                "SELECT raise_error('boom')");
        assertThat(c.out())
                .contains("query=SELECT 1 code=0 session-left=false")
                .contains("query=SELECT * FROM no_such_table code=2 session-left=false")
                .contains("query=SELECT raise_error('boom') code=1 session-left=false");
    }

    @Test
    void underYarnClusterModeASuccessfulMainReturnsAndTheJvmStillEnds() throws Exception {
        // the properties spark-submit's ApplicationMaster sets; the job itself runs on local[1] here
        Child c = java(
                List.of("-Dspark.submit.deployMode=cluster", "-Dspark.master=yarn"),
                "main",
                "sql",
                "SELECT 1",
                "--lake",
                tmp.resolve("lake").toString(),
                "--master",
                "local[1]");
        assertThat(c.code()).as(c.out()).isZero();
        assertThat(c.out()).contains("main returned");
    }

    @Test
    void aFailureExitsWithItsStatusInEveryMode() throws Exception {
        for (List<String> props :
                List.of(List.<String>of(), List.of("-Dspark.submit.deployMode=cluster", "-Dspark.master=yarn"))) {
            Child c = java(props, "main", "sql", "SELECT 1", "--no-such-option");
            assertThat(c.code()).as(c.out()).isEqualTo(ExitCode.USAGE.code());
            assertThat(c.out()).doesNotContain("main returned");
        }
    }

    @Test
    void onlyYarnClusterModeReturnsFromMainOnSuccess() {
        assertThat(LaunchMode.returnsOnSuccess(props("spark.submit.deployMode", "cluster", "spark.master", "yarn")))
                .isTrue();
        assertThat(LaunchMode.returnsOnSuccess(props("spark.submit.deployMode", "client", "spark.master", "yarn")))
                .isFalse();
        // standalone cluster mode's DriverWrapper and Kubernetes' driver pod end the JVM with main's System.exit
        assertThat(LaunchMode.returnsOnSuccess(
                        props("spark.submit.deployMode", "cluster", "spark.master", "spark://m:7077")))
                .isFalse();
        assertThat(LaunchMode.returnsOnSuccess(new Properties())).isFalse();
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }
}

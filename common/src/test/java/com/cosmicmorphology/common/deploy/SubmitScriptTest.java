package com.cosmicmorphology.common.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What deploy/submit hands spark-submit: the script runs from a copy of the repository layout (its jars as
 * empty files, so nothing is built) with SPARK_HOME pointing at a spark-submit that prints its arguments.
 */
class SubmitScriptTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String HOST = "spark.driver.host=127.0.0.1";
    static final String BIND = "spark.driver.bindAddress=127.0.0.1";

    @TempDir
    Path tmp;

    @BeforeEach
    void layout() throws Exception {
        Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(ROOT.resolve("deploy/submit"), tmp.resolve("deploy/submit"));
        for (String m : List.of("common", "ingest", "processing", "training")) {
            Files.createDirectories(tmp.resolve(m + "/target"));
            Files.writeString(tmp.resolve(m + "/target/cosmic-" + m + "-0.1.0-SNAPSHOT-spark.jar"), "");
        }
        Path bin = Files.createDirectories(tmp.resolve("spark/bin"));
        Files.writeString(bin.resolve("spark-submit"), "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(bin.resolve("spark-submit"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> submit(String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of("bash", tmp.resolve("deploy/submit").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPARK_HOME", tmp.resolve("spark").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    @Test
    void aLoopbackMasterGetsADriverOnLoopback() throws Exception {
        for (String master : List.of("spark://127.0.0.1:7077", "spark://localhost:7077", "local[2]", "local")) {
            assertThat(submit("--master", master, "--", "sql", "SELECT 1"))
                    .as(master)
                    .contains(HOST, BIND);
        }
        assertThat(submit("--master=spark://127.0.0.1:7077", "--", "sql", "SELECT 1"))
                .contains(HOST, BIND);
    }

    @Test
    void anyOtherMasterLeavesTheDriverAddressToTheCluster() throws Exception {
        for (String master : List.of(
                "yarn", "spark://10.0.0.5:7077", "spark://spark-master.internal:7077", "k8s://https://api:6443")) {
            List<String> args = submit("--master", master, "--deploy-mode", "cluster", "--", "sql", "SELECT 1");
            assertThat(args)
                    .as(master)
                    .isNotEmpty()
                    .noneMatch(a -> a.startsWith("spark.driver.host=") || a.startsWith("spark.driver.bindAddress="));
            assertThat(args).as(master).contains("com.cosmicmorphology.common.cli.Cosmic", "sql", "SELECT 1");
        }
    }

    @Test
    void theUsersOwnDriverAddressWins() throws Exception {
        List<String> args =
                submit("--master", "spark://127.0.0.1:7077", "--conf", "spark.driver.host=10.0.0.9", "--", "sql", "x");
        assertThat(args).contains("spark.driver.host=10.0.0.9", BIND).doesNotContain(HOST);
    }
}

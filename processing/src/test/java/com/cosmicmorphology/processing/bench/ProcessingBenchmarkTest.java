package com.cosmicmorphology.processing.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.cosmicmorphology.common.testing.BenchOutput;
import com.cosmicmorphology.common.testing.SharedSpark;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench processing at a tiny size: the RESULT line, each side's work, as many plain threads as Spark cores. */
class ProcessingBenchmarkTest {
    @TempDir
    Path tmp;

    @Test
    void theJobIsReportedAgainstAsManyPlainThreadsAsSparkHasCores() {
        int cores = SharedSpark.get().sparkContext().defaultParallelism();
        BenchOutput b = BenchOutput.run(
                new ProcessingBenchmark(),
                "--rows",
                "2000",
                "--images",
                "40",
                "--warm-up",
                "10",
                "--image-dir",
                "../data/sample/stellarium",
                "--lake",
                tmp.resolve("lake").toString());
        assertThat(b.exitCode).as(b.text).isZero();
        assertThat(b.number("ratio")).isCloseTo(b.number("ours") / b.number("baseline"), offset(0.002));
        assertThat(b.number("threads_ratio")).isEqualTo(b.number("ratio"));
        assertThat(b.number("single_thread_ratio"))
                .isCloseTo(b.number("ours") / b.number("single_thread_img_s"), offset(0.002));
        assertThat(b.number("baseline_threads")).isEqualTo(cores);
        assertThat(b.result).containsEntry("images", "40").containsEntry("rows", "2000");
    }

    @Test
    void aLakeFolderTheBenchDidNotCreateIsRefusedAndLeftAsItWas() throws Exception {
        Path mine = java.nio.file.Files.createDirectories(tmp.resolve("my-lake"));
        java.nio.file.Files.writeString(mine.resolve("notes.txt"), "keep me");
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new ProcessingBenchmark());
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(e.getMessage());
            return e instanceof com.cosmicmorphology.common.cli.CosmicException c
                    ? c.exitCode().code()
                    : 1;
        });
        int code = cli.execute(
                "--rows",
                "100",
                "--images",
                "4",
                "--warm-up",
                "1",
                "--image-dir",
                "../data/sample/stellarium",
                "--lake",
                mine.toString());
        assertThat(code).as(err.toString()).isEqualTo(com.cosmicmorphology.common.cli.ExitCode.USAGE.code());
        assertThat(err.toString()).contains("not created by a benchmark");
        assertThat(mine.resolve("notes.txt")).hasContent("keep me");
        try (var files = java.nio.file.Files.list(mine)) {
            assertThat(files).hasSize(1);
        }
    }
}

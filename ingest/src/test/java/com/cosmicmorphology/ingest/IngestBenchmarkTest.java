package com.cosmicmorphology.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.testing.BenchOutput;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.testkit.bench.IngestBenchmark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * bench ingest (testkit) at a tiny size, over the real ingest command: the RESULT line, each side's work, the
 * baseline's threads; its lake folder.
 */
class IngestBenchmarkTest {
    @TempDir
    Path tmp;

    @Test
    void oursIsReportedAgainstADownloaderOfTheSameConcurrency() {
        SharedSpark.get();
        BenchOutput b = BenchOutput.run(
                new IngestBenchmark(),
                "--items",
                "30",
                "--warm-up-items",
                "20",
                "--latency-ms",
                "2",
                "--images",
                "../data/sample/stellarium",
                "--lake",
                tmp.resolve("lake").toString());
        assertThat(b.exitCode).as(b.text).isZero();
        assertThat(b.number("ratio")).isCloseTo(b.number("ours") / b.number("baseline"), offset(0.002));
        assertThat(b.number("same_concurrency_ratio")).isEqualTo(b.number("ratio"));
        assertThat(b.number("sequential_ratio"))
                .isCloseTo(b.number("ours") / b.number("sequential_img_s"), offset(0.002));
        assertThat(b.result).containsEntry("items", "30").containsEntry("baseline_items", "30");
        assertThat(b.number("baseline_threads"))
                .isEqualTo(b.number("concurrency"))
                .isGreaterThan(1);
        assertThat(b.text).contains("rows in images: 30");
        // the warm-up ran through the same command into its own lake: the measured lake holds only the 30
        assertThat(b.result).containsEntry("warm_up_items", "20");
        assertThat(b.number("cold_s")).isPositive();
        assertThat(b.number("ours_cores_busy")).isPositive();
        assertThat(b.number("baseline_cores_busy")).isPositive();

        // the same --lake again: the bench made that folder, so it may empty it and start afresh
        BenchOutput again = BenchOutput.run(
                new IngestBenchmark(),
                "--items",
                "10",
                "--warm-up-items",
                "0",
                "--latency-ms",
                "1",
                "--images",
                "../data/sample/stellarium",
                "--lake",
                tmp.resolve("lake").toString());
        assertThat(again.exitCode).as(again.text).isZero();
        assertThat(again.text).contains("rows in images: 10");
        assertThat(again.number("cold_s")).isZero();
    }

    @Test
    void aFolderTheBenchDidNotCreateIsRefusedAndLeftAsItWas() throws Exception {
        Path mine = Files.createDirectories(tmp.resolve("my-lake"));
        Files.writeString(mine.resolve("notes.txt"), "keep me");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new IngestBenchmark());
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(e.getMessage());
            return e instanceof com.cosmicmorphology.common.cli.CosmicException c
                    ? c.exitCode().code()
                    : 1;
        });
        int code = cli.execute(
                "--items",
                "5",
                "--latency-ms",
                "1",
                "--images",
                "../data/sample/stellarium",
                "--lake",
                mine.toString());
        assertThat(code).as(err.toString()).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains(mine.toString()).contains("not created by a benchmark");
        assertThat(mine.resolve("notes.txt")).hasContent("keep me");
    }
}

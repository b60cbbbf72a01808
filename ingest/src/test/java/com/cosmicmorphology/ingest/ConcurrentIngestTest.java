package com.cosmicmorphology.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.cli.Cosmic;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.testkit.replay.NasaReplayServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two ingests into one lake at the same time, as two users or a retry overlapping a slow run would start
 * them: real commands, a real local SparkSession and real Delta tables. Without a guard both plan the same
 * new images from the same empty table and both append them, so every image lands twice.
 */
class ConcurrentIngestTest {
    static final int ITEMS = 40;

    @TempDir
    Path tmp;

    record Run(int code, String err) {}

    private static Run run(String... args) {
        CommandLine cli = Cosmic.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, err.toString());
    }

    private static List<byte[]> images() throws Exception {
        try (Stream<Path> s = Files.walk(Path.of("../data/sample/stellarium"))) {
            return s.filter(p -> p.toString().endsWith(".jpg"))
                    .sorted()
                    .limit(8)
                    .map(p -> {
                        try {
                            return Files.readAllBytes(p);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }

    @Test
    void twoNasaIngestsAtOnceLeaveEveryImageOnceAndTheLoserSaysWhoHoldsTheLake() throws Exception {
        var spark = SharedSpark.get();
        String lake = tmp.resolve("lake").toString();
        try (NasaReplayServer server = NasaReplayServer.synthetic(ITEMS, 10, images())) {
            server.latencyMs(25); // the downloads of both runs overlap: each takes about a second
            String[] args = {
                "ingest",
                "nasa",
                "--query",
                "synthetic",
                "--api-url",
                server.baseUrl(),
                "--lake",
                lake,
                "--set",
                "nasa.page-size=10",
                "--set",
                "nasa.http.concurrency=4",
                "--set",
                "ingest.batch-size=10"
            };
            // the tables exist (an earlier run landed two images): both runs plan the other 38 from the same state
            Run seed = run(concat(args, "--max-images", "2"));
            assertThat(seed.code()).as(seed.err()).isZero();
            CyclicBarrier together = new CyclicBarrier(2);
            CompletableFuture<Run> a = CompletableFuture.supplyAsync(() -> {
                await(together);
                return run(args);
            });
            CompletableFuture<Run> b = CompletableFuture.supplyAsync(() -> {
                await(together);
                return run(args);
            });
            List<Run> runs = List.of(a.get(), b.get());

            LakeLayout layout = new LakeLayout(lake);
            long rows = layout.read(spark, LakeTable.IMAGES).count();
            long ids = layout.read(spark, LakeTable.IMAGES)
                    .select("image_id")
                    .distinct()
                    .count();
            assertThat(rows).as("images landing twice: " + runs).isEqualTo(ids);

            List<Run> failed = runs.stream().filter(r -> r.code() != 0).toList();
            assertThat(failed).as(runs.toString()).hasSize(1);
            Run loser = failed.get(0);
            assertThat(loser.code()).isEqualTo(ExitCode.STORAGE.code());
            assertThat(loser.err().strip().lines()).as(loser.err()).hasSize(1);
            assertThat(loser.err())
                    .startsWith("cosmic: ")
                    .contains(lake)
                    .contains("'ingest nasa'")
                    .contains("pid " + ProcessHandle.current().pid())
                    .contains("_cosmic_writer.lock");
            assertThat(rows).isEqualTo(ITEMS);

            // the lock went with the winner: the loser's re-run works and adds nothing twice
            Run again = run(args);
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(layout.read(spark, LakeTable.IMAGES).count()).isEqualTo(ITEMS);
        }
    }

    @Test
    void aFolderIngestAndANasaIngestStartingTogetherOnAnEmptyLakeEndWithOneClearLineAndNothingLost() throws Exception {
        var spark = SharedSpark.get();
        String lake = tmp.resolve("lake").toString();
        Path folder = Files.createDirectories(tmp.resolve("folder/galaxy"));
        List<byte[]> bytes = images();
        for (int i = 0; i < bytes.size(); i++) {
            Files.write(folder.resolve("g" + i + ".jpg"), bytes.get(i));
        }
        try (NasaReplayServer server = NasaReplayServer.synthetic(ITEMS, 10, bytes)) {
            server.latencyMs(25);
            String[] nasa = {
                "ingest",
                "nasa",
                "--query",
                "synthetic",
                "--api-url",
                server.baseUrl(),
                "--lake",
                lake,
                "--set",
                "nasa.page-size=10",
                "--set",
                "nasa.http.concurrency=4",
                "--set",
                "ingest.batch-size=10"
            };
            String[] local = {
                "ingest", "folder", "--path", tmp.resolve("folder").toString(), "--lake", lake
            };
            CyclicBarrier together = new CyclicBarrier(2);
            CompletableFuture<Run> a = CompletableFuture.supplyAsync(() -> {
                await(together);
                return run(nasa);
            });
            CompletableFuture<Run> b = CompletableFuture.supplyAsync(() -> {
                await(together);
                return run(local);
            });
            List<Run> runs = List.of(a.get(), b.get());
            // both create the empty tables at once without a guard: Delta fails one of them with a stack trace
            List<Run> failed = runs.stream().filter(r -> r.code() != 0).toList();
            assertThat(failed).as(runs.toString()).hasSize(1);
            assertThat(failed.get(0).code()).as(runs.toString()).isEqualTo(ExitCode.STORAGE.code());
            assertThat(failed.get(0).err().strip().lines())
                    .as(failed.get(0).err())
                    .hasSize(1);
            assertThat(failed.get(0).err()).contains("is being written by another run: 'ingest ");

            Run again = run(runs.get(0).code() != 0 ? nasa : local);
            assertThat(again.code()).as(again.err()).isZero();
            LakeLayout layout = new LakeLayout(lake);
            assertThat(layout.read(spark, LakeTable.IMAGES).count()).isEqualTo(ITEMS + bytes.size());
            assertThat(layout.read(spark, LakeTable.IMAGES)
                            .select("image_id")
                            .distinct()
                            .count())
                    .isEqualTo(ITEMS + bytes.size());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package com.cosmicmorphology.ingest.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.ingest.NasaSample;
import com.cosmicmorphology.testkit.replay.NasaReplayServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kills: {@code ingest nasa} runs as its own JVM (the launcher's entry point) and is killed with SIGKILL
 * at seeded random moments, then run again, over and over in the same lake; the tables it ends with must equal
 * those of one uninterrupted run. Small batches make many commits, so the kills land between the steps
 * (items MERGE, image appends, quarantine writes and clean-ups) rather than only during start-up.
 */
class IngestKillIT {
    private static final int KILLS = 10;
    private static NasaReplayServer server;

    @TempDir
    static Path tmp;

    private final SparkSession spark = SharedSpark.get();

    @BeforeAll
    static void start() {
        server = NasaReplayServer.recordings(NasaSample.dir());
        server.latencyMs(20); // a download takes a while, as on the network: the run lasts long enough to be hit
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private Process launch(Path lake, Path log) throws Exception {
        return com.cosmicmorphology.ingest.ChildCosmic.start(
                log,
                "-Xmx1g",
                "ingest",
                "nasa",
                "--lake",
                lake.toString(),
                "--master",
                "local[2]",
                "--api-url",
                server.baseUrl(),
                "--query",
                "galaxy",
                "--query",
                "galaxy cluster",
                "--set",
                "ingest.batch-size=4",
                "--set",
                "nasa.http.concurrency=2",
                "--set",
                "nasa.http.backoff-base-ms=20",
                "--set",
                "nasa.http.backoff-max-ms=100");
    }

    /** The tables as sets of their keys and the values a run decides. */
    private List<TreeSet<String>> tables(Path lake) {
        LakeLayout l = new LakeLayout(lake.toString());
        List<TreeSet<String>> out = new ArrayList<>();
        out.add(keys(l.read(spark, LakeTable.IMAGES)
                .select("image_id", "content_sha256", "label")
                .collectAsList()));
        out.add(keys(l.read(spark, LakeTable.QUARANTINE)
                .select("record_id", "stage", "reason")
                .collectAsList()));
        out.add(keys(l.read(spark, LakeTable.NASA_ITEMS)
                .selectExpr("nasa_id", "array_join(queries, '|')")
                .collectAsList()));
        return out;
    }

    private static String tail(Path log) throws java.io.IOException {
        return com.cosmicmorphology.ingest.ChildCosmic.tail(log);
    }

    private static TreeSet<String> keys(List<Row> rows) {
        TreeSet<String> s = new TreeSet<>();
        for (Row r : rows) {
            s.add(r.mkString("\t"));
        }
        return s;
    }

    /** Waits until the child's log shows {@code text} or the child ends; true when the text appeared. */
    private static boolean awaitLine(Path log, String text, Process p, long timeoutMs) throws Exception {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < end) {
            if (java.nio.file.Files.exists(log)
                    && java.nio.file.Files.readString(log).contains(text)) {
                return true;
            }
            if (!p.isAlive()) {
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Test
    void killedAtRandomMomentsAndRerunItEndsWithTheTablesOfAnUninterruptedRun() throws Exception {
        Path reference = tmp.resolve("reference");
        Process whole = launch(reference, tmp.resolve("reference.log"));
        // the writes start once the crawl is planned ("crawled ... pages" is logged): kills are aimed at them,
        // not at the JVM's start-up, and spread over the time the writes of a whole run take
        assertThat(awaitLine(tmp.resolve("reference.log"), "crawled ", whole, 600_000))
                .isTrue();
        long t0 = System.nanoTime();
        assertThat(whole.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(whole.exitValue())
                .as("uninterrupted run:\n" + tail(tmp.resolve("reference.log")))
                .isZero();
        long writesMs = Math.max(500, (System.nanoTime() - t0) / 1_000_000);
        List<TreeSet<String>> expected = tables(reference);
        assertThat(expected.get(0)).hasSizeGreaterThan(20);

        Path lake = tmp.resolve("killed");
        Random random = new Random(20261201L);
        int killedMidRun = 0;
        // until KILLS kills have hit a running ingest (a run may finish before its moment: it is a re-run then)
        for (int k = 0; killedMidRun < KILLS && k < 2 * KILLS; k++) {
            Path log = tmp.resolve("kill-" + k + ".log");
            Process p = launch(lake, log);
            awaitLine(log, "crawled ", p, 600_000);
            long delay = (long) (0.5 * writesMs * random.nextDouble());
            if (!p.waitFor(delay, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
                p.waitFor();
                killedMidRun++;
            }
        }
        Process last = launch(lake, tmp.resolve("final.log"));
        assertThat(last.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(last.exitValue())
                .as("the run after the kills:\n" + tail(tmp.resolve("final.log")))
                .isZero();

        assertThat(killedMidRun).as("kills that hit a running ingest").isEqualTo(KILLS);
        List<TreeSet<String>> actual = tables(lake);
        assertThat(actual.get(0)).as("images").isEqualTo(expected.get(0));
        assertThat(actual.get(1)).as("quarantine").isEqualTo(expected.get(1));
        assertThat(actual.get(2)).as("nasa_items").isEqualTo(expected.get(2));
    }
}

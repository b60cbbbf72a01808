package com.cosmicmorphology.common.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.testing.LocalS3;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake's writer lock: one holder at a time, the second turned away in one line naming the first; on
 * local disk across processes and after a kill -9; on S3 (a real S3 API server) with a marker that is renewed
 * while its holder lives and taken over once it is abandoned.
 */
class LakeWriterLockTest {
    @TempDir
    Path tmp;

    private static final MarkerWriterLock.Timing FAST =
            // S3 reports modification times in whole seconds: the expiry must be well above one
            new MarkerWriterLock.Timing(Duration.ofMillis(200), Duration.ofMillis(2500), Duration.ofMillis(150));

    @Test
    void aSecondWriterIsTurnedAwayInOneLineUntilTheFirstReleases() {
        LakeLayout lake = new LakeLayout(tmp.resolve("lake").toString());
        Configuration conf = new Configuration();
        try (LakeWriterLock first = LakeWriterLock.acquire(conf, lake, "ingest nasa")) {
            assertThat(first.where()).isEqualTo(lake.root() + "/" + LakeWriterLock.FILE);
            assertThatThrownBy(() -> LakeWriterLock.acquire(conf, lake, "ingest folder"))
                    .isInstanceOfSatisfying(CosmicException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.STORAGE);
                        assertThat(e.getMessage())
                                .doesNotContain("\n")
                                .contains("the lake " + lake.root() + " is being written")
                                .contains("'ingest nasa' (pid "
                                        + ProcessHandle.current().pid())
                                .contains(first.where())
                                .contains("Wait for that run to end");
                    });
        }
        try (LakeWriterLock again = LakeWriterLock.acquire(conf, lake, "ingest folder")) {
            assertThat(again.where()).endsWith(LakeWriterLock.FILE);
        }
    }

    @Test
    void anotherProcessHoldsItUntilItIsKilledAndThenNothingIsLeftBlocking() throws Exception {
        LakeLayout lake = new LakeLayout(tmp.resolve("lake").toString());
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                LockHolderMain.class.getName(),
                lake.root()));
        Process holder = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("held ")) {
                // JVM and Hadoop start-up noise
            }
            assertThat(line).as("the holder never took the lock").isNotNull();
            assertThatThrownBy(() -> LakeWriterLock.acquire(new Configuration(), lake, "ingest nasa"))
                    .hasMessageContaining("'holder in another JVM' (pid " + holder.pid());

            holder.destroyForcibly(); // kill -9: no finally, no release
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try (LakeWriterLock mine = LakeWriterLock.acquire(new Configuration(), lake, "ingest nasa")) {
                assertThat(Files.readString(Path.of(mine.where()))).contains("command=ingest nasa");
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void anUnwritableRootFailsAsABadRoot() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() ->
                        LakeWriterLock.acquire(new Configuration(), new LakeLayout(file + "/lake"), "ingest nasa"))
                .isInstanceOfSatisfying(
                        CosmicException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.STORAGE))
                .hasMessageContaining("is not writable");
    }

    private static Configuration s3(LocalS3 s3) {
        Configuration c = new Configuration();
        c.set("fs.s3a.endpoint", s3.endpoint());
        c.set("fs.s3a.path.style.access", "true");
        c.set("fs.s3a.connection.ssl.enabled", "false");
        c.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        c.set("fs.s3a.access.key", LocalS3.ACCESS_KEY);
        c.set("fs.s3a.secret.key", LocalS3.SECRET_KEY);
        c.set("fs.s3a.directory.marker.retention", "keep");
        c.set("fs.s3a.attempts.maximum", "1");
        c.set("fs.s3a.impl.disable.cache", "true"); // each test its own client, closed with the server
        return c;
    }

    private static WriterLockHolder holderOn(String host, long pid, String command) {
        WriterLockHolder me = WriterLockHolder.current(command);
        return new WriterLockHolder(me.run(), command, host, pid, me.since());
    }

    @Test
    void onS3ALiveHolderKeepsItsMarkerPastTheExpiryAndItGoesWhenReleased() throws Exception {
        try (LocalS3 s3 = new LocalS3("lake")) {
            Configuration conf = s3(s3);
            String root = "s3a://lake/cosmic";
            // a holder on another machine: only its heartbeat says it is alive
            LakeWriterLock first =
                    MarkerWriterLock.acquire(conf, root, holderOn("other-host", 42, "ingest nasa"), FAST);
            Thread.sleep(2 * FAST.expiry().toMillis()); // renewed meanwhile, so never abandoned
            assertThatThrownBy(
                            () -> MarkerWriterLock.acquire(conf, root, WriterLockHolder.current("ingest folder"), FAST))
                    .isInstanceOfSatisfying(CosmicException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.STORAGE);
                        assertThat(e.getMessage())
                                .doesNotContain("\n")
                                .contains("'ingest nasa' (pid 42 on host other-host")
                                .contains(root + "/" + LakeWriterLock.FILE)
                                .contains("its marker expires at");
                    });
            first.close();
            FileSystem fs = new org.apache.hadoop.fs.Path(root).getFileSystem(conf);
            assertThat(fs.exists(new org.apache.hadoop.fs.Path(root, LakeWriterLock.FILE)))
                    .isFalse();
            MarkerWriterLock.acquire(conf, root, WriterLockHolder.current("ingest folder"), FAST)
                    .close();
        }
    }

    @Test
    void onS3AnAbandonedMarkerIsTakenOver() throws Exception {
        try (LocalS3 s3 = new LocalS3("lake")) {
            Configuration conf = s3(s3);
            String root = "s3a://lake/cosmic";
            org.apache.hadoop.fs.Path marker = new org.apache.hadoop.fs.Path(root, LakeWriterLock.FILE);
            FileSystem fs = marker.getFileSystem(conf);
            // a run on another machine that died holding the lake: its marker is never renewed
            try (var out = fs.create(marker, true)) {
                out.write(holderOn("other-host", 42, "ingest nasa").bytes());
            }
            assertThatThrownBy(
                            () -> MarkerWriterLock.acquire(conf, root, WriterLockHolder.current("ingest folder"), FAST))
                    .hasMessageContaining("pid 42 on host other-host");
            Thread.sleep(FAST.expiry().toMillis() + 300);
            try (LakeWriterLock mine =
                    MarkerWriterLock.acquire(conf, root, WriterLockHolder.current("ingest folder"), FAST)) {
                try (var in = fs.open(marker)) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                            .contains("command=ingest folder");
                }
            }

            // a run of this host whose process is gone needs no expiry: the next run takes over at once
            long gone = deadPid();
            try (var out = fs.create(marker, true)) {
                out.write(holderOn(WriterLockHolder.current("x").host(), gone, "ingest nasa")
                        .bytes());
            }
            MarkerWriterLock.acquire(conf, root, WriterLockHolder.current("ingest folder"), FAST)
                    .close();
        }
    }

    @Test
    void onS3TwoWritersStartingTogetherNeverBothGetIt() throws Exception {
        try (LocalS3 s3 = new LocalS3("lake")) {
            Configuration conf = s3(s3);
            for (int round = 0; round < 3; round++) {
                String root = "s3a://lake/race-" + round;
                CyclicBarrier together = new CyclicBarrier(2);
                List<CompletableFuture<LakeWriterLock>> runs = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    runs.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            together.await();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return MarkerWriterLock.acquire(
                                conf, root, holderOn("host-" + Math.random(), 7, "ingest nasa"), FAST);
                    }));
                }
                int won = 0;
                for (CompletableFuture<LakeWriterLock> r : runs) {
                    try {
                        r.get().close();
                        won++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertThat(e.getCause())
                                .isInstanceOf(CosmicException.class)
                                .hasMessageContaining("is being written by another run");
                    }
                }
                assertThat(won).as("round " + round).isEqualTo(1);
            }
        }
    }

    /** A PID no process has now (one that just ended). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}

package com.cosmicmorphology.testkit.bench;

import com.cosmicmorphology.common.bench.BenchLake;
import com.cosmicmorphology.common.bench.BenchResult;
import com.cosmicmorphology.common.cli.Cosmic;
import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.cli.JobOptions;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.testkit.replay.NasaReplayServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./cosmic bench ingest}: N synthetic items (distinct ids, real image bytes) served from the loopback
 * replay server with a per-request latency that models a network, ingested into a fresh local lake by the
 * {@code ingest nasa} command itself (run in this JVM through the command line, as a user runs it); then,
 * in the same process, the baseline: a plain downloader of the same image URLs with the same concurrency as
 * ingest ({@code nasa.http.concurrency} threads; bytes only: no Spark, no Delta, no decoding), and a
 * sequential one (one thread) as a second figure. Ours is timed end to end: crawl, download, decode, hash and
 * every Delta commit; the goal is ours >= 0.8 of the same-concurrency downloader (writing and decoding hide
 * behind the network).
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description = "Ingest throughput against a plain downloader of the same concurrency; RESULT line last.")
public final class IngestBenchmark implements Callable<Integer> {
    @Mixin
    JobOptions options = new JobOptions();

    @Spec
    CommandSpec spec;

    @Option(
            names = "--items",
            defaultValue = "10000",
            description = "Synthetic items served (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(
            names = "--baseline-items",
            defaultValue = "-1",
            description = "Items the sequential baseline downloads (default: all; fewer keeps a long run short).")
    int baselineItems;

    @Option(
            names = "--latency-ms",
            defaultValue = "20",
            description = "Server latency per request, modelling a network (default: ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(
            names = "--images",
            defaultValue = "data/sample/stellarium",
            description = "Folder of real images whose bytes are served (default: ${DEFAULT-VALUE}).")
    Path images;

    @Option(
            names = "--warm-up-items",
            defaultValue = "300",
            description = "Items ingested into a scratch lake (and downloaded by the baseline) before the timed runs:"
                    + " the JVM's first Delta commits load and compile Delta's code once per process (measured:"
                    + " 9-15 s on 2 cores), a cost every run pays once that no item rate should carry; that"
                    + " run's time is reported as cold_s (default: ${DEFAULT-VALUE}; 0 times a cold JVM).")
    int warmUpItems;

    @Option(
            names = "--page-size",
            defaultValue = "100",
            description = "Items per search page (default: ${DEFAULT-VALUE}).")
    int pageSize;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter out = spec.commandLine().getOut();
        List<byte[]> bytes = loadImages(images);
        // a --lake folder is the user's: emptied only if a benchmark made it (BenchLake refuses any other)
        Path lakeDir = options.lake() != null
                ? BenchLake.prepare("--lake", options.lake())
                : Files.createTempDirectory("cosmic-bench-lake");
        Path warmLake = null;
        try (NasaReplayServer server = NasaReplayServer.synthetic(items, pageSize, bytes)) {
            warmLake = Files.createTempDirectory("cosmic-bench-warm-up");
            server.latencyMs(latencyMs);
            JobContext ctx = JobContext.from(
                    options,
                    Map.of(
                            "lake.root",
                            lakeDir.toString(),
                            "nasa.api-url",
                            server.baseUrl(),
                            "nasa.page-size",
                            Integer.toString(pageSize)));
            ctx.spark(); // session start is not ingest work: keep it out of the timing
            int concurrency = ctx.config().nasa().http().concurrency();
            double coldSeconds = warmUp(ctx, warmLake, bytes, concurrency);

            long t0 = System.nanoTime();
            long c0 = processCpuNanos();
            int code = ingest(ctx, server.baseUrl());
            double oursWall = (System.nanoTime() - t0) / 1e9;
            double oursCpu = (processCpuNanos() - c0) / 1e9; // before landed's own Spark job, like the wall time
            Side ours = landed(ctx, code, items, oursWall).withCpu(oursCpu);

            int n = baselineItems < 0 ? items : Math.min(items, baselineItems);
            long t1 = System.nanoTime();
            long c1 = processCpuNanos();
            long sameBytes = download(server.baseUrl(), n, concurrency);
            Side same = new Side(n, sameBytes, (System.nanoTime() - t1) / 1e9, (processCpuNanos() - c1) / 1e9);
            long t2 = System.nanoTime();
            long seqBytes = download(server.baseUrl(), n, 1);
            Side seq = new Side(n, seqBytes, (System.nanoTime() - t2) / 1e9, 0);
            report(out, ctx, concurrency, ours, same, seq, coldSeconds);
        } finally {
            if (warmLake != null) {
                com.cosmicmorphology.common.bench.BenchFiles.deleteRecursively(warmLake);
            }
            if (options.lake() == null) {
                com.cosmicmorphology.common.bench.BenchFiles.deleteRecursively(lakeDir);
            }
        }
        return ExitCode.OK.code();
    }

    /**
     * The same warm-up on both sides: {@code ingest nasa} of {@code --warm-up-items} items from their own server
     * into a scratch lake, and the plain downloader over as many URLs. Returns the ingest's seconds (a JVM's
     * first run: what a one-off run of ingest pays once on top of its items).
     */
    private double warmUp(JobContext ctx, Path warmLake, List<byte[]> bytes, int concurrency) throws Exception {
        if (warmUpItems <= 0) {
            return 0;
        }
        try (NasaReplayServer warm = NasaReplayServer.synthetic(warmUpItems, pageSize, bytes)) {
            warm.latencyMs(latencyMs);
            JobContext warmCtx = ctx.onLake(new com.cosmicmorphology.common.lake.LakeLayout(warmLake.toString()));
            long t = System.nanoTime();
            int code = ingest(warmCtx, warm.baseUrl());
            double seconds = (System.nanoTime() - t) / 1e9;
            landed(warmCtx, code, warmUpItems, seconds);
            download(warm.baseUrl(), warmUpItems, concurrency);
            return seconds;
        }
    }

    /**
     * The JVM's CPU time (every thread, the replay server's included on both sides): how many of the machine's
     * cores a side kept busy tells a network-bound side (few) from a CPU-bound one (all).
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** What one side did: images, bytes, seconds, and the process's CPU seconds meanwhile. */
    private record Side(long images, long bytes, double seconds, double cpuSeconds) {
        Side withCpu(double cpu) {
            return new Side(images, bytes, seconds, cpu);
        }

        double coresBusy() {
            return cpuSeconds / seconds;
        }

        double rate() {
            return images / seconds;
        }

        double mbPerSecond() {
            return bytes / 1e6 / seconds;
        }
    }

    /** Ours, as the lake holds it after the run: every item must have landed once, or the bench fails. */
    private static Side landed(JobContext ctx, int code, int items, double seconds) {
        org.apache.spark.sql.Row landed = ctx.lake()
                .read(ctx.spark(), LakeTable.IMAGES)
                .agg(org.apache.spark.sql.functions.count("*"), org.apache.spark.sql.functions.sum("size_bytes"))
                .first();
        long rows = landed.getLong(0);
        if (code != ExitCode.OK.code() || rows != items) {
            long quarantined = ctx.lake().exists(ctx.spark(), LakeTable.QUARANTINE)
                    ? ctx.lake().read(ctx.spark(), LakeTable.QUARANTINE).count()
                    : 0;
            throw new CosmicException(
                    ExitCode.JOB_FAILED,
                    "bench: expected " + items + " images, ingest nasa exited " + code + " with " + rows
                            + " in images (quarantined " + quarantined + ")");
        }
        return new Side(rows, landed.isNullAt(1) ? 0 : landed.getLong(1), seconds, 0);
    }

    private void report(
            java.io.PrintWriter out,
            JobContext ctx,
            int concurrency,
            Side ours,
            Side same,
            Side seq,
            double coldSeconds) {
        out.printf("%-40s %10s %10s %10s%n", "run", "images", "images/s", "MB/s");
        out.printf(
                "%-40s %10d %10.1f %10.2f%n",
                "cosmic ingest nasa (Spark+Delta)", ours.images(), ours.rate(), ours.mbPerSecond());
        out.printf(
                "%-40s %10d %10.1f %10.2f%n",
                "plain downloader, " + concurrency + " threads (baseline)",
                same.images(),
                same.rate(),
                same.mbPerSecond());
        out.printf(
                "%-40s %10d %10.1f %10.2f%n",
                "plain downloader, 1 thread", seq.images(), seq.rate(), seq.mbPerSecond());
        out.printf(
                "latency %d ms/request, concurrency %d, batch %d, rows in images: %d; ours = %.2f of the "
                        + "same-concurrency downloader, %.2fx the sequential one%n",
                latencyMs,
                concurrency,
                ctx.config().ingest().batchSize(),
                ours.images(),
                ours.rate() / same.rate(),
                ours.rate() / seq.rate());
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf(
                "cores busy (process CPU / wall): ours %.2f, baseline %.2f, of %d: a side near %d is bound by the CPU,"
                        + " not the network%n",
                ours.coresBusy(), same.coresBusy(), cores, cores);
        if (warmUpItems > 0) {
            out.printf(
                    "warm-up (not timed above): %d items on both sides; ingest's first run in this JVM took %.1f s%n",
                    warmUpItems, coldSeconds);
        }
        out.println(new BenchResult("ingest", ours.rate(), same.rate(), "images/s")
                .with("same_concurrency_ratio", ours.rate() / same.rate())
                .with("sequential_img_s", seq.rate())
                .with("sequential_ratio", ours.rate() / seq.rate())
                .with("items", items)
                .with("baseline_items", same.images())
                .with("ours_mb_s", ours.mbPerSecond())
                .with("baseline_mb_s", same.mbPerSecond())
                .with("latency_ms", latencyMs)
                .with("concurrency", concurrency)
                .with("baseline_threads", concurrency)
                .with("ours_cores_busy", ours.coresBusy())
                .with("baseline_cores_busy", same.coresBusy())
                .with("cores", cores)
                .with("warm_up_items", warmUpItems)
                .with("cold_s", coldSeconds)
                .line());
        out.flush();
    }

    /**
     * Runs {@code ingest nasa} through the command line in this JVM, on the session already started (so its
     * start is not timed), with the bench's --conf and --set options passed on; its summary goes to stderr.
     */
    private int ingest(JobContext ctx, String apiUrl) {
        List<String> args = new ArrayList<>(List.of(
                "ingest",
                "nasa",
                "--query",
                "synthetic",
                "--max-pages",
                "0",
                "--lake",
                ctx.lake().root(),
                "--api-url",
                apiUrl,
                "--set",
                "nasa.page-size=" + pageSize));
        if (options.conf() != null) {
            args.addAll(List.of("--conf", options.conf().toString()));
        }
        if (options.master() != null) {
            args.addAll(List.of("--master", options.master()));
        }
        options.set().forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        picocli.CommandLine cli = Cosmic.commandLine();
        cli.setOut(spec.commandLine().getErr());
        return cli.execute(args.toArray(String[]::new));
    }

    /**
     * The baseline: the same image URLs on {@code threads} plain threads, bytes read and counted, nothing else.
     * Returns the bytes read; a failed download fails the baseline.
     */
    static long download(String baseUrl, int n, int threads) throws Exception {
        java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();
        com.cosmicmorphology.common.bench.PlainThreads.run(n, threads, () -> new byte[64 * 1024], (buf, i) -> {
            String id = String.format("SYN-%07d", i + 1);
            HttpURLConnection c = (HttpURLConnection) URI.create(baseUrl + "/image/" + id + "/" + id + "~thumb.jpg")
                    .toURL()
                    .openConnection();
            try (InputStream in = c.getInputStream()) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    total.addAndGet(r);
                }
            }
        });
        return total.get();
    }

    private static List<byte[]> loadImages(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "--images " + dir + " is not a folder of images; run from the "
                            + "repository root or pass --images ../shared/data/stellarium-dso");
        }
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().matches("(?i).*\\.(jpe?g|png)$"))
                    .sorted()
                    .toList()) {
                out.add(Files.readAllBytes(p));
            }
        }
        if (out.isEmpty()) {
            throw new CosmicException(ExitCode.USAGE, "--images " + dir + " holds no .jpg or .png files");
        }
        return out;
    }
}

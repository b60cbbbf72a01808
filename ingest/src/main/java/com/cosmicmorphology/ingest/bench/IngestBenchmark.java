package com.cosmicmorphology.ingest.bench;

import com.cosmicmorphology.common.bench.BenchResult;
import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.cli.JobOptions;
import com.cosmicmorphology.ingest.nasa.NasaIngestJob;
import com.cosmicmorphology.ingest.replay.NasaReplayServer;
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
import picocli.CommandLine.Option;

/**
 * {@code ./cosmic bench ingest}: N synthetic items (distinct ids, real image bytes) served from the loopback
 * replay server with a per-request latency that models a network, ingested into a fresh local lake; then,
 * in the same process, the baseline: a plain sequential downloader of the same image URLs (no Spark, no
 * Delta, no decoding). Ours is timed end to end: crawl, download, decode, hash and every Delta commit.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Ingest throughput against a sequential downloader; RESULT line last.")
public final class IngestBenchmark implements Callable<Integer> {
  @Mixin JobOptions options = new JobOptions();

  @Option(names = "--items", defaultValue = "10000", description = "Synthetic items served (default: ${DEFAULT-VALUE}).")
  int items;

  @Option(names = "--baseline-items", defaultValue = "-1",
      description = "Items the sequential baseline downloads (default: all; fewer keeps a long run short).")
  int baselineItems;

  @Option(names = "--latency-ms", defaultValue = "20",
      description = "Server latency per request, modelling a network (default: ${DEFAULT-VALUE}).")
  long latencyMs;

  @Option(names = "--images", defaultValue = "data/sample/stellarium",
      description = "Folder of real images whose bytes are served (default: ${DEFAULT-VALUE}).")
  Path images;

  @Option(names = "--page-size", defaultValue = "100", description = "Items per search page (default: ${DEFAULT-VALUE}).")
  int pageSize;

  @Override
  public Integer call() throws Exception {
    List<byte[]> bytes = loadImages(images);
    Path lakeDir = options.lake() != null ? Path.of(options.lake()) : Files.createTempDirectory("cosmic-bench-lake");
    com.cosmicmorphology.common.bench.BenchFiles.deleteRecursively(lakeDir);
    try (NasaReplayServer server = NasaReplayServer.synthetic(items, pageSize, bytes)) {
      server.latencyMs(latencyMs);
      JobContext ctx = JobContext.from(options, Map.of("lake.root", lakeDir.toString(),
          "nasa.api-url", server.baseUrl(), "nasa.page-size", Integer.toString(pageSize)));
      ctx.spark(); // session start is not ingest work: keep it out of the timing

      long t0 = System.nanoTime();
      NasaIngestJob.Result r = new NasaIngestJob(ctx.spark(), ctx.lake(), ctx.config())
          .run(List.of("synthetic"), 0, 0);
      double ours = (System.nanoTime() - t0) / 1e9;
      if (r.imagesAdded() != items) {
        throw new CosmicException(ExitCode.JOB_FAILED, "bench: expected " + items + " images, ingest added "
            + r.imagesAdded() + " (quarantined " + r.quarantined() + ")");
      }
      long rows = ctx.spark().read().format("delta").load(ctx.lake().location("images")).count();

      int n = baselineItems < 0 ? items : Math.min(items, baselineItems);
      long t1 = System.nanoTime();
      long baseBytes = sequentialDownload(server.baseUrl(), n);
      double base = (System.nanoTime() - t1) / 1e9;

      double oursRate = items / ours;
      double baseRate = n / base;
      System.out.printf("%-34s %10s %10s %10s%n", "run", "images", "images/s", "MB/s");
      System.out.printf("%-34s %10d %10.1f %10.2f%n", "cosmic ingest nasa (Spark+Delta)", items, oursRate,
          r.bytes() / 1e6 / ours);
      System.out.printf("%-34s %10d %10.1f %10.2f%n", "sequential downloader (baseline)", n, baseRate,
          baseBytes / 1e6 / base);
      System.out.printf("latency %d ms/request, concurrency %d, batch %d, rows in images: %d%n", latencyMs,
          ctx.config().nasa().http().concurrency(), ctx.config().ingest().batchSize(), rows);
      System.out.println(new BenchResult("ingest", oursRate, baseRate, "images/s")
          .with("items", items).with("baseline_items", n).with("ours_mb_s", r.bytes() / 1e6 / ours)
          .with("baseline_mb_s", baseBytes / 1e6 / base).with("latency_ms", latencyMs)
          .with("concurrency", ctx.config().nasa().http().concurrency()).line());
    } finally {
      if (options.lake() == null) {
        com.cosmicmorphology.common.bench.BenchFiles.deleteRecursively(lakeDir);
      }
    }
    return ExitCode.OK.code();
  }

  /** The baseline: one request after another, bytes read and counted, nothing else. */
  static long sequentialDownload(String baseUrl, int n) throws IOException {
    long total = 0;
    byte[] buf = new byte[64 * 1024];
    for (int i = 1; i <= n; i++) {
      String id = String.format("SYN-%07d", i);
      HttpURLConnection c = (HttpURLConnection) URI.create(baseUrl + "/image/" + id + "/" + id + "~thumb.jpg")
          .toURL().openConnection();
      try (InputStream in = c.getInputStream()) {
        int r;
        while ((r = in.read(buf)) > 0) {
          total += r;
        }
      }
    }
    return total;
  }

  private static List<byte[]> loadImages(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new CosmicException(ExitCode.USAGE, "--images " + dir + " is not a folder of images; run from the "
          + "repository root or pass --images ../shared/data/stellarium-dso");
    }
    List<byte[]> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).filter(p -> p.toString().matches("(?i).*\\.(jpe?g|png)$"))
          .sorted().toList()) {
        out.add(Files.readAllBytes(p));
      }
    }
    if (out.isEmpty()) {
      throw new CosmicException(ExitCode.USAGE, "--images " + dir + " holds no .jpg or .png files");
    }
    return out;
  }

}

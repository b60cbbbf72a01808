package com.cosmicmorphology.processing.bench;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.xxhash64;

import com.cosmicmorphology.common.bench.BenchResult;
import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.cli.JobOptions;
import com.cosmicmorphology.common.config.ResizePolicy;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.processing.eda.EdaTables;
import com.cosmicmorphology.processing.inputs.ModelInputsJob;
import com.cosmicmorphology.processing.pixels.PixelStatsCalculator;
import com.cosmicmorphology.processing.pixels.PixelStatsJob;
import com.cosmicmorphology.processing.split.SplitJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./cosmic bench processing}: (1) metadata EDA + split over a synthetic {@code images} table of N
 * metadata rows (null content), timed; (2) pixel statistics over M real images by the Spark job, against the
 * same computation over the same bytes on as many plain Java threads as Spark has cores (the baseline: the
 * honest ceiling) and on one thread (a second figure), in the same process, each after the same warm-up;
 * (3) model-input preparation over the same images. Table writes that set the stage are not timed.
 */
@Command(
        name = "processing",
        mixinStandardHelpOptions = true,
        description = "Metadata EDA + split at scale, pixel statistics against plain threads, one per Spark core.")
public final class ProcessingBenchmark implements Callable<Integer> {
    private static final String[] LABELS = {
        "galaxy",
        "globular_cluster",
        "open_cluster",
        "planetary_nebula",
        "emission_reflection_nebula",
        "dark_nebula",
        "supernova_remnant",
        "galaxy_cluster"
    };

    /*
     * --warm-up: images each side decodes untimed before its timed pass. With 200, the Spark side's first timed
     * thousand images still ran while C2 compiled its reader and row code on the same two cores (measured:
     * 1.8 ms per image per core at 2,000 images against 1.4 at 10,000).
     */
    @Option(
            names = "--warm-up",
            defaultValue = "1000",
            description = "Images each side decodes untimed first (default: ${DEFAULT-VALUE}).")
    int warmUp;

    @Mixin
    JobOptions options = new JobOptions();

    @Spec
    CommandSpec spec;

    @Option(
            names = "--rows",
            defaultValue = "1000000",
            description = "Synthetic metadata rows (default: ${DEFAULT-VALUE}).")
    long rows;

    @Option(
            names = "--images",
            defaultValue = "20000",
            description =
                    "Real images for pixel statistics and input preparation (default: ${DEFAULT-VALUE}, so that the"
                            + " job's fixed Spark and Delta costs are a small share of its time).")
    int images;

    @Option(
            names = "--image-dir",
            defaultValue = "data/sample/stellarium",
            description =
                    "Folder of real photographs, cycled to --images distinct byte strings (default: ${DEFAULT-VALUE}).")
    Path imageDir;

    /** The metadata leg's timings. */
    private record MetadataTimes(double edaSeconds, double splitSeconds, Map<String, Long> included) {}

    /** The pixel-statistics leg: the job against the same calculator on plain threads and on one. */
    private record PixelTimes(
            int images,
            double oursSeconds,
            double computeSeconds,
            double baseSeconds,
            double singleSeconds,
            int cores,
            double checksum,
            double threadsChecksum) {}

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter out = spec.commandLine().getOut();
        // a --lake folder is the user's: its tables are overwritten only if a benchmark made it (BenchLake refuses
        // others)
        Path root = options.lake() != null
                ? com.cosmicmorphology.common.bench.BenchLake.prepare("--lake", options.lake())
                : Files.createTempDirectory("cosmic-bench-processing");
        try {
            JobContext ctx = JobContext.from(
                    options, Map.of("lake.root", root.resolve("meta").toString()));
            SparkSession spark = ctx.spark();
            MetadataTimes m =
                    metadata(spark, new LakeLayout(root.resolve("meta").toString()));
            LakeLayout px = new LakeLayout(root.resolve("pixels").toString());
            PixelTimes p = pixelStatistics(ctx, root, px);
            long t4 = System.nanoTime();
            long prepared = modelInputs(ctx, px);
            double inputSeconds = (System.nanoTime() - t4) / 1e9;
            report(out, spark, m, p, ctx.config().inputs().size(), prepared, inputSeconds);
        } finally {
            if (options.lake() == null) {
                com.cosmicmorphology.common.bench.BenchFiles.deleteRecursively(root);
            }
        }
        return ExitCode.OK.code();
    }

    /** (1) metadata EDA and split over {@code rows} synthetic rows. */
    private MetadataTimes metadata(SparkSession spark, LakeLayout meta) {
        syntheticImages(spark, rows)
                .write()
                .format("delta")
                .mode(SaveMode.Overwrite)
                .save(meta.location(LakeTable.IMAGES));
        meta.read(spark, LakeTable.IMAGES)
                .select("image_id", "label")
                .withColumn("source", lit("synthetic"))
                .withColumn("content_sha256", col("image_id"))
                .withColumn("group_id", col("image_id"))
                .withColumn("included", lit(true))
                .withColumn("reason", lit("ok"))
                .withColumn("detail", lit(null).cast("string"))
                .withColumn("curated_at", current_timestamp())
                .select(
                        "image_id",
                        "source",
                        "label",
                        "content_sha256",
                        "group_id",
                        "included",
                        "reason",
                        "detail",
                        "curated_at")
                .write()
                .format("delta")
                .mode(SaveMode.Overwrite)
                .save(meta.location(LakeTable.CURATED_IMAGES));
        long t0 = System.nanoTime();
        EdaTables eda = new EdaTables(spark, meta);
        for (Map.Entry<String, Dataset<Row>> e : eda.metadataTables().entrySet()) {
            e.getValue().write().format("delta").mode(SaveMode.Overwrite).save(meta.location(e.getKey()));
        }
        double edaSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        SplitJob.Result split = new SplitJob(JobContext.of(spark, meta)).run(42, List.of(0.7, 0.15, 0.15));
        double splitSeconds = (System.nanoTime() - t1) / 1e9;
        return new MetadataTimes(edaSeconds, splitSeconds, split.included());
    }

    /** (2) pixel statistics: the Spark job against the same calculator on plain threads, on the same bytes. */
    private PixelTimes pixelStatistics(JobContext ctx, Path root, LakeLayout px) throws Exception {
        SparkSession spark = ctx.spark();
        double dark = ctx.config().eda().darkThreshold();
        // the job decodes under the run's decode.* limits: the baselines and the compute-only pass do too
        com.cosmicmorphology.common.image.DecodeLimits limits =
                com.cosmicmorphology.common.image.DecodeLimits.of(ctx.config());
        List<byte[]> bytes = distinctImages(imageDir, 0, images);
        final int count = bytes.size();
        realImages(spark, bytes)
                .write()
                .format("delta")
                .mode(SaveMode.Overwrite)
                .save(px.location(LakeTable.IMAGES));
        // baseline first, after an untimed warm-up pass, so neither side runs on a cold JIT
        List<byte[]> warmUpBytes = distinctImages(imageDir, count, warmUp);
        onThreads(warmUpBytes, dark, limits, 1);
        long t3 = System.nanoTime();
        double checksum = onThreads(bytes, dark, limits, 1);
        double singleSeconds = (System.nanoTime() - t3) / 1e9;
        // the honest ceiling: the same calculator on as many plain threads as Spark has cores, same warm-up
        int cores = spark.sparkContext().defaultParallelism();
        onThreads(warmUpBytes, dark, limits, cores);
        long t5 = System.nanoTime();
        double threadsChecksum = onThreads(bytes, dark, limits, cores);
        double baseSeconds = (System.nanoTime() - t5) / 1e9;
        if (Math.abs(threadsChecksum - checksum) > 1e-6 * Math.max(1, Math.abs(checksum))) {
            throw new CosmicException(ExitCode.JOB_FAILED, "bench: the threaded baseline computed other statistics");
        }
        // The job reads its bytes from the table, as in production: the bench's in-memory copy (M x ~20 KB)
        // would otherwise stay live in the heap G1 marks while the job runs (measured: a concurrent marking
        // cycle every ~1.7 s, each taking one of the two cores for ~0.25 s).
        bytes = null;
        // Spark gets the same treatment as the baseline: an untimed pass of the whole job over the same other
        // images (JIT of the Parquet binary reader, Delta's snapshot and commit code), in a lake of its own
        LakeLayout warm = new LakeLayout(root.resolve("warm-up").toString());
        realImages(spark, warmUpBytes)
                .write()
                .format("delta")
                .mode(SaveMode.Overwrite)
                .save(warm.location(LakeTable.IMAGES));
        warmUpBytes = null;
        new PixelStatsJob(ctx.onLake(warm)).run();
        computeOnly(spark, warm, dark, limits);
        // the computation alone, as Spark runs it (read, decode, measure; no write)
        long tc = System.nanoTime();
        long n = computeOnly(spark, px, dark, limits);
        double computeSeconds = (System.nanoTime() - tc) / 1e9;
        // the whole incremental job: new hashes only, statistics, appended to eda_pixel_stats
        long t2 = System.nanoTime();
        PixelStatsJob.Result r = new PixelStatsJob(ctx.onLake(px)).run();
        double oursSeconds = (System.nanoTime() - t2) / 1e9;
        if (r.computed() != count || n != count) {
            throw new CosmicException(
                    ExitCode.JOB_FAILED, "bench: " + r.computed() + " hashes computed, expected " + count);
        }
        return new PixelTimes(
                count, oursSeconds, computeSeconds, baseSeconds, singleSeconds, cores, checksum, threadsChecksum);
    }

    /** (3) model inputs over the pixel leg's images: the images prepared. */
    private static long modelInputs(JobContext ctx, LakeLayout px) {
        SparkSession spark = ctx.spark();
        int size = ctx.config().inputs().size();
        px.read(spark, LakeTable.IMAGES)
                .select("image_id", "source", "label", "content_sha256")
                .withColumn("group_id", col("image_id"))
                .withColumn("included", lit(true))
                .withColumn("reason", lit("ok"))
                .withColumn("detail", lit(null).cast("string"))
                .withColumn("curated_at", current_timestamp())
                .write()
                .format("delta")
                .mode(SaveMode.Overwrite)
                .save(px.location(LakeTable.CURATED_IMAGES));
        return new ModelInputsJob(ctx.onLake(px))
                .run(size, ResizePolicy.CENTER_CROP)
                .prepared();
    }

    private void report(
            java.io.PrintWriter out,
            SparkSession spark,
            MetadataTimes m,
            PixelTimes p,
            int size,
            long prepared,
            double inputSeconds) {
        int count = p.images();
        double ours = count / p.oursSeconds();
        double base = count / p.baseSeconds();
        double single = count / p.singleSeconds();
        out.printf("%-46s %12s %10s%n", "step", "items", "seconds");
        out.printf("%-46s %12d %10.1f%n", "metadata EDA (7 tables)", rows, m.edaSeconds());
        out.printf("%-46s %12d %10.1f%n", "split " + m.included(), rows, m.splitSeconds());
        out.printf(
                "%-46s %12d %10.1f  (%.1f img/s)%n",
                "pixel stats job (incl. Delta read + commit)", count, p.oursSeconds(), ours);
        out.printf(
                "%-46s %12d %10.1f  (%.1f img/s)%n",
                "pixel stats computation, Spark " + spark.sparkContext().master(),
                count,
                p.computeSeconds(),
                count / p.computeSeconds());
        out.printf(
                "%-46s %12d %10.1f  (%.1f img/s, checksum %.3f)%n",
                "pixel stats, " + p.cores() + " plain threads (baseline)",
                count,
                p.baseSeconds(),
                base,
                p.threadsChecksum());
        out.printf(
                "%-46s %12d %10.1f  (%.1f img/s, checksum %.3f)%n",
                "pixel stats, one thread", count, p.singleSeconds(), single, p.checksum());
        out.printf(
                "job = %.2f of %d plain threads (goal >= 0.9), %.2fx one thread%n",
                ours / base, p.cores(), ours / single);
        out.printf("%-46s %12d %10.1f%n", "model inputs " + size + "px", prepared, inputSeconds);
        out.println(new BenchResult("processing", ours, base, "images/s")
                .with("rows", rows)
                .with("eda_s", m.edaSeconds())
                .with("split_s", m.splitSeconds())
                .with("eda_split_s", m.edaSeconds() + m.splitSeconds())
                .with("images", count)
                .with("inputs_s", inputSeconds)
                .with("compute_img_s", count / p.computeSeconds())
                .with("compute_ratio", (count / p.computeSeconds()) / base)
                .with("threads_ratio", ours / base)
                .with("baseline_threads", p.cores())
                .with("single_thread_img_s", single)
                .with("single_thread_ratio", ours / single)
                .line());
        out.flush();
    }

    /**
     * The calculator on {@code threads} plain Java threads (one calculator each, as Spark has one per task):
     * the summed brightness, in image order, so that any thread count gives the same checksum to the last bit.
     */
    static double onThreads(
            List<byte[]> bytes, double dark, com.cosmicmorphology.common.image.DecodeLimits limits, int threads)
            throws Exception {
        double[] brightness = new double[bytes.size()];
        com.cosmicmorphology.common.bench.PlainThreads.run(
                bytes.size(),
                threads,
                () -> new PixelStatsCalculator(dark, limits),
                (calc, i) -> brightness[i] = calc.compute(bytes.get(i)).brightness());
        double checksum = 0;
        for (double v : brightness) {
            checksum += v;
        }
        return checksum;
    }

    /** The job's read, decode and measure over a lake's images, without its dedup and write: rows computed. */
    private static long computeOnly(
            SparkSession spark, LakeLayout lake, double dark, com.cosmicmorphology.common.image.DecodeLimits limits) {
        return lake.read(spark, LakeTable.IMAGES)
                .select("content_sha256", "image_id", "content")
                .mapPartitions(
                        new PixelStatsJob.Compute(dark, limits),
                        org.apache.spark.sql.Encoders.row(PixelStatsJob.SCHEMA))
                .count();
    }

    /** N metadata rows that look like images: deterministic labels, sizes and hashes; no bytes. */
    static Dataset<Row> syntheticImages(SparkSession spark, long n) {
        org.apache.spark.sql.Column[] labels =
                Arrays.stream(LABELS).map(l -> lit(l)).toArray(org.apache.spark.sql.Column[]::new);
        return spark.range(n)
                .select(
                        concat(lit("synthetic:"), col("id").cast("string")).as("image_id"),
                        lit("synthetic").as("source"),
                        element_at(
                                        array(labels),
                                        pmod(xxhash64(col("id")), lit(LABELS.length))
                                                .cast("int")
                                                .plus(1))
                                .as("label"),
                        lit("synthetic").as("label_source"),
                        lit(null).cast("binary").as("content"),
                        sha2(col("id").cast("string"), 256).as("content_sha256"),
                        lit("jpeg").as("format"),
                        pmod(xxhash64(col("id"), lit(1)), lit(1800))
                                .plus(64)
                                .cast("int")
                                .as("width"),
                        pmod(xxhash64(col("id"), lit(2)), lit(1800))
                                .plus(64)
                                .cast("int")
                                .as("height"),
                        pmod(xxhash64(col("id"), lit(3)), lit(500_000)).as("size_bytes"),
                        lit("synthetic").as("origin"),
                        current_timestamp().as("ingested_at"));
    }

    /** The bench's images in the contract's columns; sizes are not read (no stage the bench times uses them). */
    private static Dataset<Row> realImages(SparkSession spark, List<byte[]> bytes) {
        List<Row> rows = new ArrayList<>();
        Timestamp now = Timestamp.from(Instant.now());
        for (int i = 0; i < bytes.size(); i++) {
            String id = String.format("bench:%06d", i);
            rows.add(RowFactory.create(
                    id,
                    "bench",
                    "x",
                    "bench",
                    bytes.get(i),
                    com.cosmicmorphology.common.image.Hashes.sha256(bytes.get(i)),
                    "jpeg",
                    0,
                    0,
                    (long) bytes.get(i).length,
                    id,
                    now));
        }
        return spark.createDataFrame(rows, LakeTable.IMAGES.schema()).repartition(8);
    }

    /**
     * Items from..from+n-1 of the folder's photographs cycled to distinct byte strings: copies past the first get a few bytes after
     * the JPEG end marker, which decoders ignore, so every hash is new and nothing is skipped as known.
     */
    static List<byte[]> distinctImages(Path dir, int from, int n) throws IOException {
        List<byte[]> base = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().matches("(?i).*\\.jpe?g$"))
                    .sorted()
                    .toList()) {
                base.add(Files.readAllBytes(p));
            }
        }
        if (base.isEmpty()) {
            throw new CosmicException(ExitCode.USAGE, "--image-dir " + dir + " holds no .jpg files");
        }
        List<byte[]> out = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            byte[] b = base.get(i % base.size());
            int copy = i / base.size();
            if (copy == 0) {
                out.add(b);
            } else {
                byte[] c = Arrays.copyOf(b, b.length + 4);
                c[b.length] = (byte) (copy >> 24);
                c[b.length + 1] = (byte) (copy >> 16);
                c[b.length + 2] = (byte) (copy >> 8);
                c[b.length + 3] = (byte) copy;
                out.add(c);
            }
        }
        return out;
    }
}

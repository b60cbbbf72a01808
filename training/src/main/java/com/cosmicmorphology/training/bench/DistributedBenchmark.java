package com.cosmicmorphology.training.bench;

import static org.apache.spark.sql.functions.col;

import com.cosmicmorphology.common.bench.BenchResult;
import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.cli.JobOptions;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.TrainingData;
import com.cosmicmorphology.training.features.FeatureStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./cosmic bench distributed}: the heavy work of a cluster run, measured three ways in one run with the
 * same total cores: the single-JVM path (2 threads), 1 worker JVM x 2 cores, and 2 worker JVMs x 1 core
 * (real executor JVMs: {@code local-cluster}). Three legs, each the same work on every side:
 * <ul>
 *   <li>extract: {@code features_<backbone>} of the train/val images from nothing ({@link ExtractLeg});</li>
 *   <li>fine-tune: the backbone from {@code training.unfreeze-from} and the head, fixed epochs
 *       ({@link FineTuneLeg});</li>
 *   <li>head: the frozen-mode head on cached features ({@link HeadLeg}).</li>
 * </ul>
 * Parallel efficiency = 2 x 1 JVMs over the single JVM (images/s over the median step; the first is warm-up
 * on every side), achieved GFLOP/s against this machine's SGEMM peak measured in the same run, per-round
 * overhead and bytes of parameter averaging, executor and driver peak RSS, and from those a scaling model.
 * Extraction and fine-tuning only read the user's lake: they run against a scratch lake holding a copy of the
 * images' {@code features_inputs} rows, deleted at the end. The head leg reads the lake's feature cache and,
 * like {@code train}, fills in what it lacks.
 */
@Command(
        name = "distributed",
        mixinStandardHelpOptions = true,
        description = "Feature extraction, fine-tuning and head training on 1 vs 2 worker JVMs (same cores) against "
                + "the single JVM.")
public final class DistributedBenchmark implements Callable<Integer> {
    @Mixin
    JobOptions options = new JobOptions();

    @Option(
            names = "--legs",
            split = ",",
            defaultValue = "extract,fine-tune,head",
            description = "Which legs to run: extract, fine-tune, head (comma-separated).")
    List<String> legs;

    @Option(
            names = "--epochs",
            defaultValue = "30",
            description = "Head leg: epochs for every run (no early stopping).")
    int epochs;

    @Option(names = "--fine-tune-epochs", defaultValue = "15", description = "Fine-tune leg: epochs for every run.")
    int fineTuneEpochs;

    @Option(
            names = "--warm-up-epochs",
            defaultValue = "2",
            description =
                    "Training legs: epochs left out of the speed figures on every side (kept in time-to-accuracy).")
    int warmUpEpochs;

    @Option(names = "--extract-repeats", defaultValue = "3", description = "Extract leg: timed extractions per side.")
    int extractRepeats;

    @Option(
            names = "--target-accuracy",
            defaultValue = "0.6",
            description = "Validation accuracy for time-to-accuracy.")
    double target;

    @Option(
            names = "--training-masters",
            split = ",",
            defaultValue = "parameter-averaging",
            description = "Training legs: parameter-averaging and/or shared (comma-separated).")
    List<String> masters;

    @Option(names = "--executor-memory-mb", defaultValue = "3072")
    int executorMemoryMb;

    @Option(
            names = "--run-timeout-s",
            defaultValue = "600",
            description = "A distributed run still working after this is cancelled and reported as failed.")
    int runTimeoutS;

    @Option(
            names = "--model-gpu-speedup",
            defaultValue = "20",
            description = "Scaling model: a GPU worker as a multiple of one measured CPU core (an assumption).")
    double gpuSpeedup;

    @Option(
            names = "--model-driver-gbit",
            defaultValue = "10",
            description = "Scaling model: the driver's network link in Gbit/s (an assumption).")
    double driverGbit;

    @Option(names = "--spark-jar", description = "The training module's spark-submit jar (default: the build's).")
    Path sparkJar;

    /** The legs' inputs, loaded once from the user's lake. */
    private record Data(
            CosmicConfig config, List<LabelledImage> train, List<LabelledImage> val, List<String> classes) {}

    /** Every run, by leg, in the order they ran. */
    private final Map<String, List<BenchRun>> runs = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Path jar = checkSetup();
        for (String leg : legs) {
            if (!List.of("extract", "fine-tune", "head").contains(leg)) {
                throw new CosmicException(
                        ExitCode.USAGE, "--legs: unknown leg '" + leg + "'; valid: extract, fine-tune, head");
            }
            runs.put(leg, new ArrayList<>());
        }
        Path scratchDir = Files.createTempDirectory("cosmic-bench-distributed-");
        LakeLayout scratch = new LakeLayout(scratchDir.toString());
        try {
            JobContext ctx = JobContext.from(
                    options, Map.of("spark.master", "local[2]", "training.distributed.engine", "local"));
            Data data = load(ctx, scratch);
            CosmicConfig.Training t = data.config().training();
            ExtractLeg extract = new ExtractLeg(all(data), extractRepeats);
            FineTuneLeg fineTune = new FineTuneLeg(data.train(), data.val(), data.classes());
            HeadLeg head = runs.containsKey("head") ? headLeg(ctx, data) : null;
            double peak = Dl4jTrainSide.sgemmPeak();
            String policy = data.config().inputs().policy().key();

            // the single JVM: this process, local[2]
            SparkSession spark = ctx.spark();
            String single = "single JVM (2 threads)";
            add("extract", () -> extract.run(spark, scratch, t, policy, single, 0, 0));
            add(
                    "fine-tune",
                    () -> fineTune.single(t.withEpochs(fineTuneEpochs, fineTuneEpochs + 1), single)
                            .warmUp(warmUpEpochs));
            add(
                    "head",
                    () -> head.single(t.withEpochs(epochs, epochs + 1), single).warmUp(warmUpEpochs));
            spark.stop();

            // worker JVMs with the same total cores
            for (int[] shape : new int[][] {{1, 2}, {2, 1}}) {
                onWorkers(data, scratch, jar, shape[0], shape[1], extract, fineTune, head, policy);
            }
            report(
                    data,
                    peak,
                    runs.containsKey("fine-tune")
                            ? fineTune.network(t.withEpochs(fineTuneEpochs, fineTuneEpochs + 1))
                            : null,
                    head);
            return ExitCode.OK.code();
        } finally {
            deleteScratch(scratchDir);
        }
    }

    private Path checkSetup() {
        String sparkHome = System.getenv("SPARK_HOME");
        if (sparkHome == null || !Files.isDirectory(Path.of(sparkHome, "jars"))) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "bench distributed starts worker JVMs from SPARK_HOME/jars; run it "
                            + "through ./cosmic (which assembles one with deploy/spark-home) or set SPARK_HOME");
        }
        Path jar = sparkJar != null ? sparkJar : Path.of("training/target/cosmic-training-0.1.0-SNAPSHOT-spark.jar");
        if (!Files.isRegularFile(jar)) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "the workers need the training module's spark-submit jar " + jar.toAbsolutePath()
                            + "; build it with 'mvn package -DskipTests' or pass --spark-jar");
        }
        return jar;
    }

    /** The train/val images (with pixels) of the user's lake, and their model inputs copied to the scratch lake. */
    private Data load(JobContext ctx, LakeLayout scratch) {
        CosmicConfig config = ctx.config();
        CosmicConfig.Training t = config.training();
        SparkSession spark = ctx.spark();
        TrainingData td = new TrainingData(spark, ctx.lake());
        String policy = config.inputs().policy().key();
        List<LabelledImage> train = td.load("train", t.inputSize(), policy);
        List<LabelledImage> val = td.load("val", t.inputSize(), policy);
        if (train.isEmpty() || val.isEmpty()) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    "the lake " + ctx.lake().root() + " has " + train.size()
                            + " train and " + val.size() + " val images with model inputs at " + t.inputSize() + " px ("
                            + policy
                            + "); run split and 'prepare --size " + t.inputSize() + "' first");
        }
        List<String> classes = new ArrayList<>(
                new TreeSet<>(train.stream().map(LabelledImage::label).toList()));
        Data data = new Data(config, train, val, classes);
        if (runs.containsKey("extract") || runs.containsKey("fine-tune")) {
            ctx.lake()
                    .read(spark, LakeTable.MODEL_INPUTS)
                    .where(col("size").equalTo(t.inputSize()).and(col("policy").equalTo(policy)))
                    .where(col("content_sha256")
                            .isin(all(data).stream()
                                    .map(LabelledImage::contentSha256)
                                    .distinct()
                                    .toArray()))
                    .write()
                    .format("delta")
                    .save(scratch.location(LakeTable.MODEL_INPUTS));
        }
        System.out.printf(
                "data: %d train and %d validation images at %d px, %d classes, %d views, backbone %s%n",
                train.size(),
                val.size(),
                t.inputSize(),
                classes.size(),
                t.featureViews(),
                t.backbone().key());
        return data;
    }

    private static List<LabelledImage> all(Data data) {
        List<LabelledImage> all = new ArrayList<>(data.train());
        all.addAll(data.val());
        return all;
    }

    /** The head leg's features: from the user's lake's cache (computed there once if missing, as train does). */
    private static HeadLeg headLeg(JobContext ctx, Data data) {
        CosmicConfig.Training t = data.config().training();
        FeatureStore store = new FeatureStore(ctx.spark(), ctx.lake(), Backbones.create(t));
        Map<String, float[][]> feats = store.features(all(data), t.featureViews());
        return new HeadLeg(
                data.train().stream().map(i -> feats.get(i.contentSha256())).toList(),
                data.train().stream()
                        .mapToInt(i -> data.classes().indexOf(i.label()))
                        .toArray(),
                data.val().stream().map(i -> feats.get(i.contentSha256())).toList(),
                data.val().stream()
                        .mapToInt(i -> data.classes().indexOf(i.label()))
                        .toArray(),
                data.classes());
    }

    private void onWorkers(
            Data data,
            LakeLayout scratch,
            Path jar,
            int workers,
            int cores,
            ExtractLeg extract,
            FineTuneLeg fineTune,
            HeadLeg head,
            String policy) {
        String shape =
                workers + " worker JVM" + (workers > 1 ? "s" : "") + " x " + cores + " core" + (cores > 1 ? "s" : "");
        try (WorkerCluster cluster =
                new WorkerCluster(options, scratch.root(), Map.of(), workers, cores, executorMemoryMb, jar)) {
            CosmicConfig.Training t = cluster.context.config().training();
            SparkSession spark = cluster.spark();
            addOn(cluster, "extract", shape, () -> extract.run(spark, scratch, t, policy, shape, workers, cores));
            for (String master : masters) {
                String name = master + ", " + shape;
                CosmicConfig.Training tm = withMaster(t, master);
                addOn(
                        cluster,
                        "fine-tune",
                        name,
                        () -> fineTune.distributed(
                                        spark,
                                        scratch,
                                        tm.withEpochs(fineTuneEpochs, fineTuneEpochs + 1),
                                        policy,
                                        name,
                                        workers,
                                        cores)
                                .warmUp(warmUpEpochs));
                addOn(
                        cluster,
                        "head",
                        name,
                        () -> head.distributed(spark, tm.withEpochs(epochs, epochs + 1), name, workers, cores)
                                .warmUp(warmUpEpochs));
            }
        }
    }

    private static CosmicConfig.Training withMaster(CosmicConfig.Training t, String master) {
        CosmicConfig.Distributed d = t.distributed();
        return t.withDistributed(new CosmicConfig.Distributed(
                d.engine(), master, d.workers(), d.averagingFrequency(), d.sharedPort(), "127.0.0.0/8", "127.0.0.1"));
    }

    private void add(String leg, Callable<BenchRun> run) throws Exception {
        if (runs.containsKey(leg)) {
            runs.get(leg).add(run.call());
        }
    }

    /** A distributed run: a failure (or the timeout) is reported in its row, and the other runs go on. */
    private void addOn(WorkerCluster cluster, String leg, String name, Callable<BenchRun> run) {
        if (!runs.containsKey(leg)) {
            return;
        }
        try {
            runs.get(leg).add(cluster.withTimeout(runTimeoutS, run));
        } catch (Exception e) {
            runs.get(leg).add(BenchRun.failed(name, cluster.workers, cluster.cores, WorkerCluster.why(e, runTimeoutS)));
        }
    }

    /** What the legs' reports build up: the RESULT line, and extraction's figures the scaling model needs. */
    private static final class Report {
        BenchResult result;
        double extractRate = Double.NaN;
        double extractEff = Double.NaN;
        ScalingModel model;

        /** The headline (ours/baseline) comes from the first leg reported: extraction, else fine-tune, else head. */
        BenchResult result(BenchRun two, BenchRun base, String unit) {
            if (result == null) {
                result = new BenchResult(
                        "distributed", two == null ? Double.NaN : two.unitsPerSecond(), base.unitsPerSecond(), unit);
            }
            return result;
        }
    }

    private void report(Data data, double peak, FineTuneLeg.Network net, HeadLeg head) {
        PrintStream out = System.out;
        CosmicConfig.Training t = data.config().training();
        Report rep = new Report();
        out.printf(Locale.ROOT, "%nmachine peak (OpenBLAS SGEMM 2048^3, 2 threads, this run): %.1f GFLOP/s%n", peak);
        if (runs.containsKey("extract")) {
            reportExtract(out, data, t, rep);
        }
        if (runs.containsKey("fine-tune")) {
            reportFineTune(out, data, t, net, rep);
        }
        if (head != null) {
            List<BenchRun> r = runs.get("head");
            table(
                    out,
                    "head: " + head.examples + " examples per epoch, " + epochs + " epochs (median after "
                            + warmUpEpochs + " warm-up)",
                    "examples/s",
                    r,
                    Double.NaN);
            BenchRun two = ok(r, 2);
            rep.result(two, r.get(0), "examples/s")
                    .with(
                            "head_efficiency",
                            two == null
                                    ? Double.NaN
                                    : two.unitsPerSecond() / r.get(0).unitsPerSecond())
                    .with("head_examples", head.examples);
        }
        if (rep.model != null) {
            rep.model.print(out);
        }
        perSideKeys(rep.result);
        out.println(rep.result
                .with("fine_tune_epochs", fineTuneEpochs)
                .with("epochs", epochs)
                .with("warm_up_epochs", warmUpEpochs)
                .with("driver_peak_rss_mb", BenchResult.peakRssMb())
                .line());
    }

    private void reportExtract(PrintStream out, Data data, CosmicConfig.Training t, Report rep) {
        List<BenchRun> r = runs.get("extract");
        double flops = ExtractLeg.forwardFlops(Backbones.create(t));
        table(
                out,
                "extract: " + r.get(0).unitsPerStep() + " backbone passes ("
                        + all(data).size() + " images x " + t.featureViews() + " views), median of " + extractRepeats,
                "passes/s",
                r,
                flops);
        BenchRun two = ok(r, 2);
        rep.extractRate = r.get(0).unitsPerSecond() / 2; // per core
        rep.extractEff =
                two == null ? Double.NaN : two.unitsPerSecond() / r.get(0).unitsPerSecond();
        rep.result(two, r.get(0), "passes/s")
                .with("extract_efficiency", rep.extractEff)
                .with("extract_passes", r.get(0).unitsPerStep());
    }

    private void reportFineTune(
            PrintStream out, Data data, CosmicConfig.Training t, FineTuneLeg.Network net, Report rep) {
        List<BenchRun> r = runs.get("fine-tune");
        table(
                out,
                "fine-tune: " + data.train().size() + " images per epoch, " + fineTuneEpochs + " epochs (median after "
                        + warmUpEpochs + " warm-up), batch " + t.batchSize() + ", from " + t.unfreezeFrom(),
                "images/s",
                r,
                net.stepFlops());
        BenchRun base = r.get(0);
        BenchRun two = ok(r, 2);
        int perWorker = Math.max(1, t.batchSize() / 2);
        int f = t.distributed().averagingFrequency();
        int rounds = (int) Math.ceil((double) data.train().size() / (2.0 * perWorker * f));
        double bytes = 2.0 * 4 * (net.params() + net.updaterState()); // parameters and updater state, down and up
        double overhead = two == null ? Double.NaN : (two.medianSeconds() - base.medianSeconds()) / rounds;
        out.printf(
                Locale.ROOT,
                "parameter averaging at 2 workers: %d round(s) per epoch (%d images per worker "
                        + "minibatch, averaging every %d); %.3f s overhead per round against the single JVM; %.1f MB moved per "
                        + "worker per round (%,d parameters + %,d updater state, float32, to and from the driver)%n",
                rounds,
                perWorker,
                f,
                overhead,
                bytes / 1e6,
                net.params(),
                net.updaterState());
        double eff = two == null ? Double.NaN : two.unitsPerSecond() / base.unitsPerSecond();
        double gap = two == null ? Double.NaN : base.bestAccuracy() - two.bestAccuracy();
        rep.result(two, base, "images/s")
                .with("finetune_efficiency", eff)
                .with("finetune_acc_gap", gap)
                .with("finetune_round_overhead_s", overhead)
                .with("finetune_round_mb", bytes / 1e6)
                .with("finetune_images", data.train().size());
        if (two != null && !Double.isNaN(rep.extractEff)) {
            rep.model = new ScalingModel(
                    base.unitsPerSecond() / 2,
                    perWorker,
                    f,
                    overhead,
                    bytes,
                    driverGbit * 1e9 / 8,
                    rep.extractRate,
                    rep.extractEff,
                    gpuSpeedup);
        }
    }

    /** {@code <leg>_<side>_per_s}, {@code _val_acc} and {@code _executor_rss_mb} of every run that finished. */
    private void perSideKeys(BenchResult result) {
        for (Map.Entry<String, List<BenchRun>> e : runs.entrySet()) {
            String leg = e.getKey().replace("-", "");
            for (BenchRun r : e.getValue()) {
                if (r.ok()) {
                    String key = leg + "_" + r.shape()
                            + (r.workers() > 0 && masters.size() > 1 && !leg.equals("extract")
                                    ? "_"
                                            + r.name()
                                                    .substring(0, r.name().indexOf(','))
                                                    .replace('-', '_')
                                    : "");
                    result.with(key + "_per_s", r.unitsPerSecond());
                    if (!leg.equals("extract")) {
                        result.with(key + "_val_acc", r.bestAccuracy());
                    }
                    if (r.workers() > 0) {
                        result.with(key + "_executor_rss_mb", r.executorRssMb());
                    }
                }
            }
        }
    }

    /** The first run without error of that many workers, or null. */
    private static BenchRun ok(List<BenchRun> runs, int workers) {
        return runs.stream()
                .filter(r -> r.ok() && r.workers() == workers)
                .findFirst()
                .orElse(null);
    }

    private void table(PrintStream out, String title, String unit, List<BenchRun> runs, double flopsPerUnit) {
        BenchRun base = runs.get(0);
        out.printf(
                "%n%s%n%-44s %12s %17s %9s %9s %12s %9s %11s%n",
                title,
                "run",
                unit,
                "[min-max]",
                "vs single",
                "GFLOP/s",
                "t to val>=" + target,
                "val best",
                "exec. RSS");
        for (BenchRun r : runs) {
            if (!r.ok()) {
                out.printf("%-44s failed: %s%n", r.name(), r.error());
                continue;
            }
            double[] range = r.range();
            out.printf(
                    Locale.ROOT,
                    "%-44s %12.1f %8.1f-%-8.1f %8.2fx %9s %12s %9s %8.0f MB%n",
                    r.name(),
                    r.unitsPerSecond(),
                    range[0],
                    range[1],
                    r.unitsPerSecond() / base.unitsPerSecond(),
                    Double.isNaN(flopsPerUnit)
                            ? "-"
                            : String.format(Locale.ROOT, "%.1f", r.unitsPerSecond() * flopsPerUnit / 1e9),
                    r.accuracies().isEmpty()
                            ? "-"
                            : Double.isNaN(r.timeTo(target))
                                    ? "not reached"
                                    : String.format(Locale.ROOT, "%.1f s", r.timeTo(target)),
                    r.accuracies().isEmpty() ? "-" : String.format(Locale.ROOT, "%.3f", r.bestAccuracy()),
                    r.executorRssMb());
        }
    }

    private static void deleteScratch(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (Exception e) {
            System.err.println("bench distributed: could not delete its scratch lake " + dir + ": " + e.getMessage());
        }
    }
}

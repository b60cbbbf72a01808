package com.cosmicmorphology.processing;

import com.cosmicmorphology.common.cli.CommandProvider;
import com.cosmicmorphology.common.cli.ConfigOverrides;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.cli.JobOptions;
import com.cosmicmorphology.common.config.ResizePolicy;
import com.cosmicmorphology.common.lake.LakeWriterLock;
import com.cosmicmorphology.processing.bench.ProcessingBenchmark;
import com.cosmicmorphology.processing.clean.CleanJob;
import com.cosmicmorphology.processing.eda.EdaJob;
import com.cosmicmorphology.processing.inputs.ModelInputsJob;
import com.cosmicmorphology.processing.split.SplitJob;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Processing's commands (eda, clean, split, prepare), registered with ./cosmic through META-INF/services: each
 * maps its options onto configuration and runs its job under the lake's writer lock.
 */
public final class ProcessingCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new Eda(), new Clean(), new Split(), new Prepare(), new Synthesize());
    }

    @Override
    public List<Object> benchmarks() {
        return List.of(new ProcessingBenchmark());
    }

    @Command(
            name = "eda",
            mixinStandardHelpOptions = true,
            description = "EDA tables (eda_*) and an HTML report with charts.")
    public static final class Eda implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        JobOptions options = new JobOptions();

        @Option(names = "--report", paramLabel = "<dir>", description = "Report folder (default: eda.report-dir).")
        Path report;

        @Option(names = "--no-report", description = "Tables only.")
        boolean noReport;

        @Option(names = "--no-pixels", description = "Skip pixel statistics (metadata tables only).")
        boolean noPixels;

        @Override
        public Integer call() {
            JobContext ctx = JobContext.from(options, Map.of());
            Path dir = noReport
                    ? null
                    : report != null ? report : Path.of(ctx.config().eda().reportDir());
            EdaJob.Result r = LakeWriterLock.whileHolding(
                    ctx.spark(), ctx.lake(), "eda", () -> new EdaJob(ctx).run(dir, !noPixels));
            spec.commandLine()
                    .getOut()
                    .println("eda: "
                            + r.rowsPerTable().entrySet().stream()
                                    .map(e -> e.getKey() + "=" + e.getValue())
                                    .collect(Collectors.joining(", "))
                            + (r.pixels() == null
                                    ? ""
                                    : "; pixel stats computed for " + r.pixels().computed() + " new hashes, "
                                            + r.pixels().reused() + " reused")
                            + (r.report() == null ? "" : "; report " + r.report()));
            return ExitCode.OK.code();
        }
    }

    @Command(
            name = "clean",
            mixinStandardHelpOptions = true,
            description = "curated_images: duplicates, near-duplicates, label conflicts, non-sky images, mosaic tiles.")
    public static final class Clean implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        JobOptions options = new JobOptions();

        @Override
        public Integer call() {
            JobContext ctx = JobContext.from(options, Map.of());
            CleanJob.Result r =
                    LakeWriterLock.whileHolding(ctx.spark(), ctx.lake(), "clean", () -> new CleanJob(ctx).run());
            spec.commandLine()
                    .getOut()
                    .printf(
                            "clean: %d images, %d included, excluded %s, %d near-duplicate pairs%n",
                            r.images(), r.included(), r.excludedByReason(), r.nearDuplicatePairs());
            return ExitCode.OK.code();
        }
    }

    @Command(
            name = "split",
            mixinStandardHelpOptions = true,
            description = "Deterministic stratified train/val/test splits of the curated images.")
    public static final class Split implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        JobOptions options = new JobOptions();

        @Option(names = "--seed", paramLabel = "N", description = "Seed (split.seed).")
        Long seed;

        @Option(names = "--ratios", paramLabel = "a,b,c", split = ",", description = "train,val,test (split.ratios).")
        List<Double> ratios;

        @Override
        public Integer call() {
            ConfigOverrides extra = new ConfigOverrides();
            extra.set("split.seed", seed);
            extra.set("split.ratios", ratios);
            JobContext ctx = JobContext.from(options, extra.asMap());
            SplitJob.Result r = LakeWriterLock.whileHolding(
                    ctx.spark(),
                    ctx.lake(),
                    "split",
                    () -> new SplitJob(ctx)
                            .run(
                                    ctx.config().split().seed(),
                                    ctx.config().split().ratios()));
            spec.commandLine()
                    .getOut()
                    .println("split: " + r.included() + " (included images), seed "
                            + ctx.config().split().seed());
            return ExitCode.OK.code();
        }
    }

    @Command(
            name = "prepare",
            mixinStandardHelpOptions = true,
            description = "Model inputs: decode and resize curated images once into features_inputs.")
    public static final class Prepare implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        JobOptions options = new JobOptions();

        @Mixin
        InputOptions inputs = new InputOptions();

        @Override
        public Integer call() {
            ConfigOverrides extra = new ConfigOverrides();
            inputs.applyTo(extra);
            JobContext ctx = JobContext.from(options, extra.asMap());
            int s = ctx.config().inputs().size();
            ResizePolicy p = ctx.config().inputs().policy();
            ModelInputsJob.Result r = LakeWriterLock.whileHolding(
                    ctx.spark(), ctx.lake(), "prepare", () -> new ModelInputsJob(ctx).run(s, p));
            spec.commandLine()
                    .getOut()
                    .printf(
                            "prepare: %d images prepared at %dpx (%s), %d reused, %d quarantined%n",
                            r.prepared(), s, p.key(), r.reused(), r.failed());
            return ExitCode.OK.code();
        }
    }

    @Command(
            name = "synthesize",
            mixinStandardHelpOptions = true,
            description = "Synthetic training images: seeded variants (rotation, zoom, mirror, seeing blur, stretch, "
                    + "colour balance, noise) of every train and val model input into features_synthetic; "
                    + "training adds synthetic.train-per-image of them per image, never to val or test.")
    public static final class Synthesize implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        JobOptions options = new JobOptions();

        @Option(names = "--per-image", paramLabel = "N", description = "Variants per image (synthetic.per-image).")
        Integer perImage;

        @Mixin
        InputOptions inputs = new InputOptions();

        @Override
        public Integer call() {
            ConfigOverrides extra = new ConfigOverrides();
            extra.set("synthetic.per-image", perImage);
            inputs.applyTo(extra);
            JobContext ctx = JobContext.from(options, extra.asMap());
            int s = ctx.config().inputs().size();
            ResizePolicy p = ctx.config().inputs().policy();
            var syn = ctx.config().synthetic();
            var r = LakeWriterLock.whileHolding(
                    ctx.spark(),
                    ctx.lake(),
                    "synthesize",
                    () -> new com.cosmicmorphology.processing.synthetic.SyntheticJob(ctx)
                            .run(s, p, syn.perImage(), syn.seed()));
            spec.commandLine()
                    .getOut()
                    .printf(
                            "synthesize: %d variants made, %d already present, for %d train/val images at %dpx (%s), "
                                    + "recipe %s; train with them: --set synthetic.train-per-image=N (N <= %d)%n",
                            r.created(), r.reused(), r.parents(), s, p.key(), r.recipe(), syn.perImage());
            return ExitCode.OK.code();
        }
    }

    /** --size and --policy: the model inputs a command makes or reads (prepare, synthesize). */
    public static final class InputOptions {
        @Option(names = "--size", paramLabel = "PX", description = "Square side (inputs.size).")
        Integer size;

        @Option(names = "--policy", paramLabel = "P", description = "center-crop or pad (inputs.policy).")
        String policy;

        void applyTo(ConfigOverrides extra) {
            extra.set("inputs.size", size);
            extra.set("inputs.policy", policy);
        }
    }
}

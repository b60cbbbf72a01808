package com.cosmicmorphology.training;

import com.cosmicmorphology.common.cli.CommandProvider;
import com.cosmicmorphology.common.cli.ConfigOverrides;
import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.cli.JobOptions;
import com.cosmicmorphology.common.config.BackboneKind;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeWriterLock;
import com.cosmicmorphology.training.compare.CompareJob;
import com.cosmicmorphology.training.eval.EvaluateJob;
import com.cosmicmorphology.training.model.Freshness;
import com.cosmicmorphology.training.predict.PredictJob;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** train, tune, evaluate and predict (and their benchmarks), registered with ./cosmic. */
public final class TrainingCommands implements CommandProvider {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingCommands.class);

    /** --model-dir, else training.model-dir: where train writes and evaluate/predict read. */
    static Path modelDir(Path option, JobContext ctx) {
        return option != null ? option : Path.of(ctx.config().training().modelDir());
    }

    @Override
    public List<Object> commands() {
        return List.of(new Train(), new Tune(), new Compare(), new Evaluate(), new Predict());
    }

    @Override
    public List<Object> benchmarks() {
        return List.of(
                new com.cosmicmorphology.training.bench.TrainBenchmark(),
                new com.cosmicmorphology.training.bench.DistributedBenchmark());
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description = "Transfer learning: cross-validation over train + val chooses the head and its epochs, "
                    + "then the head is refitted on train + val; saves model + metadata (with the CV estimate).")
    public static final class Train implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        JobOptions options = new JobOptions();

        @Option(names = "--model-dir", paramLabel = "<dir>", description = "Where the model goes (training.model-dir).")
        Path modelDir;

        @Option(
                names = "--backbone",
                paramLabel = "B",
                description = "keras-h5, resnet50, squeezenet, efficientnet-b0 or vit-tiny (training.backbone).")
        String backbone;

        @Option(names = "--epochs", paramLabel = "N", description = "Maximum epochs (training.epochs).")
        Integer epochs;

        @Option(
                names = "--mode",
                paramLabel = "M",
                description = "frozen or fine-tune (training.mode); fine-tune with a "
                        + "cluster master trains on the executors with dl4j-spark.")
        String mode;

        @Option(
                names = "--tuned",
                description = "Use the head settings of the best trial of the latest './cosmic tune'.")
        boolean tuned;

        @Option(
                names = "--skip-if-unchanged",
                description =
                        "Exit 0 without training when the model in the model "
                                + "directory was trained on the same train + val images (ids, labels, splits, groups, content) with the same "
                                + "training settings; a missing model, or one from before this was recorded, is trained. For scheduled runs.")
        boolean skipIfUnchanged;

        @Override
        public Integer call() {
            ConfigOverrides extra = new ConfigOverrides();
            extra.set("training.backbone", backbone);
            extra.set("training.epochs", epochs);
            extra.set("training.mode", mode);
            JobContext ctx = JobContext.from(options, extra.asMap());
            if (tuned) {
                extra.setAll(com.cosmicmorphology.training.selection.TuneJob.bestOfLatest(ctx.spark(), ctx.lake()));
                ctx = JobContext.from(options, extra.asMap());
            }
            Path dir = modelDir(modelDir, ctx);
            if (skipIfUnchanged) {
                Freshness.Verdict v = new Freshness(ctx).ofTraining(dir);
                if (v.current()) {
                    spec.commandLine().getOut().println("train: skipped: " + v.reason());
                    return ExitCode.OK.code();
                }
                LOG.info("training: {}", v.reason());
            }
            JobContext c = ctx;
            TrainJob.Result r =
                    LakeWriterLock.whileHolding(c.spark(), c.lake(), "train", () -> new TrainJob(c).run(dir));
            if (r.cv() != null) {
                spec.commandLine().getOut().print(com.cosmicmorphology.training.selection.CvMetadata.table(r.cv()));
                spec.commandLine()
                        .getOut()
                        .printf(
                                "train: model %s in %s; head %s refitted on train + val for %d epochs; cross-validated "
                                        + "accuracy %.3f, macro-F1 %.3f; %d feature vectors computed; %.0f s%n",
                                r.modelId(),
                                r.modelDir(),
                                r.cv().best().name(),
                                r.bestEpoch(),
                                r.validation().accuracy(),
                                r.validation().macroF1(),
                                r.featuresComputed(),
                                r.seconds());
            } else {
                spec.commandLine()
                        .getOut()
                        .printf(
                                "train: model %s in %s; validation accuracy %.3f, macro-F1 %.3f (best epoch %d); "
                                        + "%d feature vectors computed; %.0f s%n",
                                r.modelId(),
                                r.modelDir(),
                                r.validation().accuracy(),
                                r.validation().macroF1(),
                                r.bestEpoch(),
                                r.featuresComputed(),
                                r.seconds());
            }
            return ExitCode.OK.code();
        }
    }

    @Command(
            name = "tune",
            mixinStandardHelpOptions = true,
            description = "Hyper-parameter search of the head: every trial cross-validated (trials x folds as Spark "
                    + "tasks over the cached features); appends to the trials table and prints the best.")
    public static final class Tune implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        JobOptions options = new JobOptions();

        @Option(
                names = "--trials",
                paramLabel = "N",
                defaultValue = "12",
                description = "Trials, the configured head first (default: ${DEFAULT-VALUE}).")
        int trials;

        @Option(
                names = "--seed",
                paramLabel = "N",
                defaultValue = "42",
                description = "Search seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            if (trials < 1) {
                throw new CosmicException(ExitCode.USAGE, "--trials must be at least 1, got " + trials);
            }
            JobContext ctx = JobContext.from(options, Map.of());
            var r = LakeWriterLock.whileHolding(
                    ctx.spark(),
                    ctx.lake(),
                    "tune",
                    () -> new com.cosmicmorphology.training.selection.TuneJob(ctx).run(trials, seed));
            spec.commandLine().getOut().print(com.cosmicmorphology.training.selection.CvMetadata.table(r.outcome()));
            StringBuilder flags = new StringBuilder();
            r.bestConfig()
                    .forEach((k, v) ->
                            flags.append(" --set ").append(k).append('=').append(v));
            spec.commandLine()
                    .getOut()
                    .printf(
                            "tune: %s, %d trials in the trials table; best: %s (CV macro-F1 %.3f ± %.3f)%n"
                                    + "train with it: ./cosmic train --tuned   (or:%s)%n",
                            r.searchId(),
                            r.outcome().candidates().size(),
                            r.outcome().best().name(),
                            r.outcome().best().macroF1(),
                            r.outcome().best().macroF1Spread(),
                            flags);
            return ExitCode.OK.code();
        }
    }

    @Command(
            name = "compare",
            mixinStandardHelpOptions = true,
            description = "Every backbone through train's frozen recipe and cross-validation (same images, folds, "
                    + "seeds, head choice); one row each in backbone_comparison: CV accuracy and macro-F1 with "
                    + "spread, feature and CV time, inference images/s, parameters, pretrained or random.")
    public static final class Compare implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        JobOptions options = new JobOptions();

        @Option(
                names = "--backbones",
                paramLabel = "B,B",
                split = ",",
                description = "Backbones to compare, in order (default: every one: keras-h5, resnet50, squeezenet, "
                        + "efficientnet-b0, vit-tiny). Those without weights here run from random weights, "
                        + "and the table says so.")
        List<String> backbones;

        @Override
        public Integer call() {
            List<BackboneKind> kinds = backbones == null
                    ? List.of(BackboneKind.values())
                    : backbones.stream()
                            .map(String::trim)
                            .map(BackboneKind::parse)
                            .distinct()
                            .toList();
            JobContext ctx = JobContext.from(options, Map.of());
            // one session and lake; per backbone only the backbone (and permission to start from random weights)
            java.util.function.Function<BackboneKind, CosmicConfig> configFor = k -> JobContext.from(
                            options, Map.of("training.backbone", k.key(), "training.allow-random-weights", "true"))
                    .config();
            var r = LakeWriterLock.whileHolding(
                    ctx.spark(), ctx.lake(), "compare", () -> new CompareJob(ctx, configFor).run(kinds));
            spec.commandLine().getOut().print(CompareJob.table(r));
            spec.commandLine()
                    .getOut()
                    .printf(
                            "compare: %s, %d backbones in the backbone_comparison table%n",
                            r.compareId(), r.entries().size());
            return ExitCode.OK.code();
        }
    }

    @Command(
            name = "evaluate",
            mixinStandardHelpOptions = true,
            description = "Metrics of a saved model on a split (metrics table, per-class report, confusion matrix PNG: "
                    + "counts beside recall per true class).")
    public static final class Evaluate implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        JobOptions options = new JobOptions();

        @Option(names = "--model-dir", paramLabel = "<dir>", description = "The model (default: training.model-dir).")
        Path modelDir;

        @Option(
                names = "--split",
                defaultValue = "test",
                description = "train, val or test (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(
                names = "--skip-if-unchanged",
                description = "Exit 0 without scoring when the model's metadata already "
                        + "holds its evaluation of this split over the same images and the confusion chart exists (a new training "
                        + "clears its model's evaluations). For scheduled runs.")
        boolean skipIfUnchanged;

        @Override
        public Integer call() {
            if (!List.of("train", "val", "test").contains(split)) {
                throw new CosmicException(
                        ExitCode.USAGE, "--split '" + split + "' is not valid; valid values: train, val, test");
            }
            JobContext ctx = JobContext.from(options, Map.of());
            Path dir = modelDir(modelDir, ctx);
            if (skipIfUnchanged) {
                Freshness.Verdict v = new Freshness(ctx).ofEvaluation(dir, split, EvaluateJob.chart(dir, split));
                if (v.current()) {
                    spec.commandLine().getOut().println("evaluate: skipped: " + v.reason());
                    return ExitCode.OK.code();
                }
                LOG.info("evaluating: {}", v.reason());
            }
            EvaluateJob.Result r = LakeWriterLock.whileHolding(
                    ctx.spark(), ctx.lake(), "evaluate", () -> new EvaluateJob(ctx).run(dir, split));
            spec.commandLine()
                    .getOut()
                    .printf(
                            "evaluate: model %s on %s (%d images)%n%s",
                            r.modelId(), split, r.images(), r.report().table());
            spec.commandLine()
                    .getOut()
                    .println("confusion matrix (counts, and recall per true class): " + r.confusionPng());
            return ExitCode.OK.code();
        }
    }

    @Command(
            name = "predict",
            mixinStandardHelpOptions = true,
            description = "Scores the lake's images or a folder into predictions (and a CSV).")
    public static final class Predict implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        private static final int MAX_FAILURES_SHOWN = 20;

        @Mixin
        JobOptions options = new JobOptions();

        @Option(names = "--model-dir", paramLabel = "<dir>", description = "The model (default: training.model-dir).")
        Path modelDir;

        @Option(
                names = "--images",
                paramLabel = "<dir>",
                description = "Score this folder (recursively) instead of the lake.")
        Path images;

        @Option(
                names = "--output",
                paramLabel = "<file.csv>",
                description = "Also write image_id,predicted_label,confidence.")
        Path output;

        @Override
        public Integer call() {
            JobContext ctx = JobContext.from(options, Map.of());
            Path dir = modelDir(modelDir, ctx);
            PredictJob job = new PredictJob(ctx);
            PredictJob.Result r = LakeWriterLock.whileHolding(
                    ctx.spark(),
                    ctx.lake(),
                    "predict",
                    () -> images != null ? job.fromFolder(dir, images, output) : job.fromLake(dir, output));
            spec.commandLine()
                    .getOut()
                    .printf(
                            "predict: model %s scored %d images, %d could not be scored%s%n",
                            r.modelId(),
                            r.scored(),
                            r.failed().size(),
                            output == null ? "" : "; CSV " + output + " (one row per image, the reason in 'error')");
            // names come from the files: printed escaped (no forged lines, no terminal sequences), and not by the
            // thousand
            r.failed().entrySet().stream()
                    .limit(MAX_FAILURES_SHOWN)
                    .forEach(e -> spec.commandLine()
                            .getOut()
                            .println("  not scored: "
                                    + com.cosmicmorphology.training.predict.PrintableText.of(e.getKey()) + ": "
                                    + com.cosmicmorphology.training.predict.PrintableText.of(e.getValue())));
            if (r.failed().size() > MAX_FAILURES_SHOWN) {
                spec.commandLine()
                        .getOut()
                        .printf(
                                "  ... and %d more%s%n",
                                r.failed().size() - MAX_FAILURES_SHOWN,
                                output == null ? " (logged; --output writes them all)" : " (all in the CSV)");
            }
            return ExitCode.OK.code();
        }
    }
}

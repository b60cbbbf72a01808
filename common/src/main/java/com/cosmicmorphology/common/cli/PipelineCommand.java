package com.cosmicmorphology.common.cli;

import com.cosmicmorphology.common.config.CosmicConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./cosmic pipeline}: ingest -> eda -> clean -> split -> prepare -> train -> evaluate, each stage the
 * same command a user would type (found through the module registry, so common needs no other module), in
 * one JVM and one SparkSession; stops at the first stage that fails, with that stage's exit status.
 */
@Command(
        name = "pipeline",
        mixinStandardHelpOptions = true,
        description = "ingest (folders and/or NASA queries) -> eda -> clean -> split -> prepare -> train -> evaluate.")
public class PipelineCommand implements Callable<Integer> {
    @Mixin
    JobOptions options = new JobOptions();

    @Option(names = "--path", paramLabel = "<dir>", description = "Labelled folder to ingest (repeatable).")
    List<Path> folders = new ArrayList<>();

    @Option(names = "--query", paramLabel = "<term>", description = "NASA search term to ingest (repeatable).")
    List<String> queries = new ArrayList<>();

    @Option(names = "--model-dir", paramLabel = "<dir>", description = "Where the model goes (training.model-dir).")
    Path modelDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The stages, as command lines. */
    List<List<String>> stages(int inputSize, int syntheticPerImage) {
        List<List<String>> s = new ArrayList<>();
        for (Path p : folders) {
            s.add(List.of("ingest", "folder", "--path", p.toString()));
        }
        if (!queries.isEmpty()) {
            List<String> nasa = new ArrayList<>(List.of("ingest", "nasa"));
            queries.forEach(q -> nasa.addAll(List.of("--query", q)));
            s.add(nasa);
        }
        s.add(List.of("eda"));
        s.add(List.of("clean"));
        s.add(List.of("split"));
        s.add(List.of("prepare", "--size", Integer.toString(inputSize)));
        if (syntheticPerImage > 0) {
            // training asks for synthetic variants (synthetic.train-per-image): make them, for the splits just made
            s.add(List.of(
                    "synthesize",
                    "--size",
                    Integer.toString(inputSize),
                    "--per-image",
                    Integer.toString(syntheticPerImage)));
        }
        s.add(modelDir == null ? List.of("train") : List.of("train", "--model-dir", modelDir.toString()));
        s.add(modelDir == null ? List.of("evaluate") : List.of("evaluate", "--model-dir", modelDir.toString()));
        return s;
    }

    @Override
    public Integer call() {
        if (folders.isEmpty() && queries.isEmpty()) {
            throw new CosmicException(
                    ExitCode.USAGE, "pipeline needs a source: --path <labelled folder> and/or --query <term>");
        }
        JobContext ctx = JobContext.from(options, Map.of()); // validates the configuration once, up front
        long t0 = System.nanoTime();
        CosmicConfig.Synthetic syn = ctx.config().synthetic();
        int variants = syn.trainPerImage() == 0 ? 0 : Math.max(syn.perImage(), syn.trainPerImage());
        for (List<String> stage : stages(ctx.config().training().inputSize(), variants)) {
            List<String> args = new ArrayList<>(stage);
            args.addAll(common());
            long s0 = System.nanoTime();
            spec.commandLine().getOut().println("== " + String.join(" ", stage));
            int code = Cosmic.commandLine().execute(args.toArray(new String[0]));
            if (code != 0) {
                return code; // the stage printed its own one-line reason
            }
            spec.commandLine()
                    .getOut()
                    .printf(
                            "== %s: %.0f s%n",
                            stage.get(0)
                                    + (stage.size() > 1 && !stage.get(1).startsWith("-") ? " " + stage.get(1) : ""),
                            (System.nanoTime() - s0) / 1e9);
        }
        spec.commandLine().getOut().printf("pipeline: done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        return ExitCode.OK.code();
    }

    private List<String> common() {
        List<String> a = new ArrayList<>();
        if (options.lake() != null) {
            a.addAll(List.of("--lake", options.lake()));
        }
        if (options.conf() != null) {
            a.addAll(List.of("--conf", options.conf().toString()));
        }
        if (options.master() != null) {
            a.addAll(List.of("--master", options.master()));
        }
        options.set().forEach((k, v) -> a.addAll(List.of("--set", k + "=" + v)));
        return a;
    }

    /** {@code ./cosmic demo}: the pipeline over the bundled sample, offline, into ./lake. */
    @Command(
            name = "demo",
            mixinStandardHelpOptions = true,
            description = "The whole pipeline on the real sample bundled in data/sample (offline), into ./lake.")
    public static final class Demo extends PipelineCommand {
        @Override
        public Integer call() {
            Path sample = Path.of("data", "sample", "stellarium");
            if (!sample.toFile().isDirectory()) {
                throw new CosmicException(
                        ExitCode.USAGE,
                        "the bundled sample " + sample.toAbsolutePath() + " is missing; run from the repository root");
            }
            folders = List.of(sample);
            return super.call();
        }
    }
}

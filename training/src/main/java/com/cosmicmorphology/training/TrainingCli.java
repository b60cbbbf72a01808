package com.cosmicmorphology.training;

import com.cosmicmorphology.common.cli.CommandProvider;
import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.cli.JobOptions;
import com.cosmicmorphology.training.eval.EvaluateJob;
import com.cosmicmorphology.training.predict.PredictJob;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** train, evaluate and predict, registered with ./cosmic. */
public final class TrainingCli implements CommandProvider {
  @Override
  public List<Object> commands() {
    return List.of(new Train(), new Evaluate(), new Predict());
  }

  @Override
  public List<Object> benchmarks() {
    return List.of(new com.cosmicmorphology.training.bench.TrainBenchmark(),
        new com.cosmicmorphology.training.bench.DistributedBenchmark());
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Transfer learning on the train split, early stopping on val; saves model + metadata.")
  public static final class Train implements Callable<Integer> {
    @Mixin JobOptions options = new JobOptions();

    @Option(names = "--model-dir", paramLabel = "<dir>", description = "Where the model goes (training.model-dir).")
    Path modelDir;

    @Option(names = "--backbone", paramLabel = "B", description = "keras-h5, resnet50 or squeezenet (training.backbone).")
    String backbone;

    @Option(names = "--epochs", paramLabel = "N", description = "Maximum epochs (training.epochs).")
    Integer epochs;

    @Override
    public Integer call() {
      Map<String, String> extra = new LinkedHashMap<>();
      if (backbone != null) {
        extra.put("training.backbone", backbone);
      }
      if (epochs != null) {
        extra.put("training.epochs", epochs.toString());
      }
      JobContext ctx = JobContext.from(options, extra);
      Path dir = modelDir != null ? modelDir : Path.of(ctx.config().training().modelDir());
      TrainJob.Result r = new TrainJob(ctx.spark(), ctx.lake(), ctx.config()).run(dir);
      System.out.printf("train: model %s in %s; validation accuracy %.3f, macro-F1 %.3f (best epoch %d); "
              + "%d feature vectors computed; %.0f s%n", r.modelId(), r.modelDir(), r.validation().accuracy(),
          r.validation().macroF1(), r.bestEpoch(), r.featuresComputed(), r.seconds());
      return ExitCode.OK.code();
    }
  }

  @Command(name = "evaluate", mixinStandardHelpOptions = true,
      description = "Metrics of a saved model on a split (metrics table, per-class report, confusion matrix PNG).")
  public static final class Evaluate implements Callable<Integer> {
    @Mixin JobOptions options = new JobOptions();

    @Option(names = "--model-dir", paramLabel = "<dir>", description = "The model (default: training.model-dir).")
    Path modelDir;

    @Option(names = "--split", defaultValue = "test", description = "train, val or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Override
    public Integer call() {
      if (!List.of("train", "val", "test").contains(split)) {
        throw new CosmicException(ExitCode.USAGE, "--split '" + split + "' is not valid; valid values: train, val, test");
      }
      JobContext ctx = JobContext.from(options, Map.of());
      Path dir = modelDir != null ? modelDir : Path.of(ctx.config().training().modelDir());
      EvaluateJob.Result r = new EvaluateJob(ctx.spark(), ctx.lake(), ctx.config()).run(dir, split);
      System.out.printf("evaluate: model %s on %s (%d images)%n%s", r.modelId(), split, r.images(), r.report().table());
      System.out.println("confusion matrix: " + r.confusionPng());
      return ExitCode.OK.code();
    }
  }

  @Command(name = "predict", mixinStandardHelpOptions = true,
      description = "Scores the lake's images or a folder into predictions (and a CSV).")
  public static final class Predict implements Callable<Integer> {
    @Mixin JobOptions options = new JobOptions();

    @Option(names = "--model-dir", paramLabel = "<dir>", description = "The model (default: training.model-dir).")
    Path modelDir;

    @Option(names = "--images", paramLabel = "<dir>", description = "Score this folder (recursively) instead of the lake.")
    Path images;

    @Option(names = "--output", paramLabel = "<file.csv>", description = "Also write image_id,predicted_label,confidence.")
    Path output;

    @Override
    public Integer call() {
      JobContext ctx = JobContext.from(options, Map.of());
      Path dir = modelDir != null ? modelDir : Path.of(ctx.config().training().modelDir());
      PredictJob job = new PredictJob(ctx.spark(), ctx.lake(), ctx.config());
      PredictJob.Result r = images != null ? job.fromFolder(dir, images, output) : job.fromLake(dir, output);
      System.out.printf("predict: model %s scored %d images, %d could not be read%s%n", r.modelId(), r.scored(),
          r.failed().size(), output == null ? "" : "; CSV " + output);
      r.failed().forEach((id, why) -> System.out.println("  not scored: " + id + ": " + why));
      return ExitCode.OK.code();
    }
  }
}

package com.cosmicmorphology.training.bench;

import com.cosmicmorphology.common.bench.BenchResult;
import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.cli.JobOptions;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.spark.SparkSessions;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.TrainingData;
import com.cosmicmorphology.training.distributed.SparkHeadTrainer;
import com.cosmicmorphology.training.features.FeatureStore;
import com.cosmicmorphology.training.head.HeadTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./cosmic bench distributed}: the frozen-mode head trained on the same cached features (the lake's
 * train/val splits) three ways in one run: the single-JVM fit, dl4j-spark with 1 worker JVM x 2 cores, and
 * with 2 worker JVMs x 1 core (same total cores), each for the same number of epochs with no early stopping;
 * parameter averaging, and shared gradients when asked. Workers are real executor JVMs
 * ({@code local-cluster[n,c,mb]}, the standalone master and workers inside this JVM). Every run standardises
 * the features the same way ({@code Standardiser.fit} over the training rows). Reports examples/s over the
 * median epoch (the first is warm-up on every side), the executors' summed peak RSS,
 * time to a validation accuracy, the final and best validation accuracy, and the overhead per epoch and per
 * averaging round against the single JVM.
 */
@Command(name = "distributed", mixinStandardHelpOptions = true,
    description = "Distributed head training (1 vs 2 worker JVMs, same cores) against the single-JVM fit.")
public final class DistributedBenchmark implements Callable<Integer> {
  @Mixin JobOptions options = new JobOptions();

  @Option(names = "--epochs", defaultValue = "30", description = "Epochs for every run (no early stopping).")
  int epochs;

  @Option(names = "--target-accuracy", defaultValue = "0.6", description = "Validation accuracy for time-to-accuracy.")
  double target;

  @Option(names = "--training-masters", split = ",", defaultValue = "parameter-averaging",
      description = "parameter-averaging and/or shared (comma-separated).")
  List<String> masters;

  @Option(names = "--executor-memory-mb", defaultValue = "1536") int executorMemoryMb;

  @Option(names = "--run-timeout-s", defaultValue = "300",
      description = "A distributed run still training after this is cancelled and reported as failed.")
  int runTimeoutS;

  @Option(names = "--spark-jar", description = "The training module's spark-submit jar (default: the build's).")
  Path sparkJar;

  /** One run; {@code executorRssMb}: the summed peak RSS of its executor JVMs (0 for the single JVM). */
  record Run(String name, int workers, List<HeadTrainer.EpochLog> log, long examples, String error,
      double executorRssMb) {
    double fitSeconds() {
      return log.stream().mapToDouble(HeadTrainer.EpochLog::fitSeconds).sum();
    }

    /** The median epoch's: the first epoch (JIT, Spark's first jobs, workspaces) is warm-up on every side. */
    double medianEpochSeconds() {
      double[] s = log.stream().mapToDouble(HeadTrainer.EpochLog::fitSeconds).sorted().toArray();
      return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    double examplesPerSecond() {
      return examples / medianEpochSeconds();
    }

    double timeTo(double accuracy) {
      double t = 0;
      for (HeadTrainer.EpochLog e : log) {
        t += e.fitSeconds();
        if (e.valAccuracy() >= accuracy) {
          return t;
        }
      }
      return Double.NaN;
    }

    double best() {
      return log.stream().mapToDouble(HeadTrainer.EpochLog::valAccuracy).max().orElse(Double.NaN);
    }

    double last() {
      return log.isEmpty() ? Double.NaN : log.get(log.size() - 1).valAccuracy();
    }
  }

  @Override
  public Integer call() throws Exception {
    String sparkHome = System.getenv("SPARK_HOME");
    if (sparkHome == null || !Files.isDirectory(Path.of(sparkHome, "jars"))) {
      throw new CosmicException(ExitCode.USAGE, "bench distributed starts worker JVMs from SPARK_HOME/jars; run it "
          + "through ./cosmic (which assembles one with deploy/spark-home) or set SPARK_HOME");
    }
    Path jar = sparkJar != null ? sparkJar : Path.of("training/target/cosmic-training-0.1.0-SNAPSHOT-spark.jar");
    if (!Files.isRegularFile(jar)) {
      throw new CosmicException(ExitCode.USAGE, "the workers need the training module's spark-submit jar " + jar.toAbsolutePath()
          + "; build it with 'mvn package -DskipTests' or pass --spark-jar");
    }

    // 1. the data: train/val features from the lake's cache (computed there once if missing)
    JobContext ctx = JobContext.from(options, Map.of("spark.master", "local[2]"));
    CosmicConfig config = ctx.config();
    CosmicConfig.Training t = config.training();
    SparkSession spark = ctx.spark();
    TrainingData data = new TrainingData(spark, ctx.lake());
    String policy = config.inputs().policy().key();
    List<LabelledImage> train = data.load("train", t.inputSize(), policy);
    List<LabelledImage> val = data.load("val", t.inputSize(), policy);
    List<String> classes = new ArrayList<>(new TreeSet<>(train.stream().map(LabelledImage::label).toList()));
    List<LabelledImage> all = new ArrayList<>(train);
    all.addAll(val);
    FeatureStore store = new FeatureStore(spark, ctx.lake(), Backbones.create(t));
    Map<String, float[][]> feats = store.features(all, t.featureViews());
    List<float[][]> trainX = train.stream().map(i -> feats.get(i.contentSha256())).toList();
    List<float[][]> valX = val.stream().map(i -> feats.get(i.contentSha256())).toList();
    int[] trainY = train.stream().mapToInt(i -> classes.indexOf(i.label())).toArray();
    int[] valY = val.stream().mapToInt(i -> classes.indexOf(i.label())).toArray();
    long examples = trainX.stream().mapToLong(v -> v.length).sum();
    spark.stop();
    System.out.printf("data: %d train images (%d examples with %d views), %d validation images, %d classes, %d features%n",
        train.size(), examples, t.featureViews(), val.size(), classes.size(), trainX.get(0)[0].length);

    // same epochs for every run: no early stopping
    CosmicConfig.Training fixed = with(t, epochs, epochs + 1, t.distributed());

    // 2. the single-JVM fit (the baseline)
    List<Run> runs = new ArrayList<>();
    List<HeadTrainer.EpochLog> local = new ArrayList<>();
    new HeadTrainer(fixed).onEpoch(local::add).train(trainX, trainY, valX, valY, classes);
    runs.add(new Run("single JVM fit (2 threads)", 1, local, examples, null, 0));

    // 3. dl4j-spark on worker JVMs: 1 x 2 cores, 2 x 1 core
    for (String master : masters) {
      for (int[] shape : new int[][] {{1, 2}, {2, 1}}) {
        String name = master + ", " + shape[0] + " worker JVM" + (shape[0] > 1 ? "s" : "") + " x " + shape[1] + " core"
            + (shape[1] > 1 ? "s" : "");
        runs.add(distributed(config, fixed, master, shape[0], shape[1], jar, name, trainX, trainY, valX, valY, classes,
            examples));
      }
    }

    // 4. report
    Run base = runs.get(0);
    System.out.printf("%n%-52s %10s %9s %10s %12s %9s %9s %12s%n", "run (" + epochs + " epochs)", "examples/s", "s/epoch",
        "vs single", "t to val>=" + target, "val best", "val last", "overhead/ep");
    for (Run r : runs) {
      if (r.error() != null) {
        System.out.printf("%-52s failed: %s%n", r.name(), r.error());
        continue;
      }
      double perEpoch = r.medianEpochSeconds();
      System.out.printf("%-52s %10.0f %9.3f %9.2fx %12s %9.3f %9.3f %12s%n", r.name(), r.examplesPerSecond(), perEpoch,
          r.examplesPerSecond() / base.examplesPerSecond(),
          Double.isNaN(r.timeTo(target)) ? "not reached" : String.format("%.1f s", r.timeTo(target)),
          r.best(), r.last(), r == base ? "-" : String.format("%.3f s", perEpoch - base.medianEpochSeconds()));
      if (r != base) {
        System.out.printf("%-52s executors' peak RSS %.0f MB in all; first epoch %.3f s%n", "", r.executorRssMb(),
            r.log().get(0).fitSeconds());
      }
    }
    int rounds = (int) Math.ceil((double) examples / (2 * Math.max(1, t.batchSize() / 2) * t.distributed().averagingFrequency()));
    Run two = runs.stream().filter(r -> r.error() == null && r.workers() == 2).findFirst().orElse(null);
    if (two != null) {
      double overhead = two.medianEpochSeconds() - base.medianEpochSeconds();
      System.out.printf("parameter averaging: %d averaging rounds per epoch (every %d minibatches per worker): "
          + "%.3f s overhead per round (a Spark job, parameters broadcast and collected)%n", rounds,
          t.distributed().averagingFrequency(), overhead / rounds);
    }
    BenchResult result = new BenchResult("distributed", two == null ? Double.NaN : two.examplesPerSecond(),
        base.examplesPerSecond(), "examples/s");
    for (Run r : runs) {
      String key = r == base ? "single" : r.name().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
      if (r.error() == null) {
        result.with(key + "_val_acc", r.last()).with(key + "_examples_s", r.examplesPerSecond());
        if (r != base) {
          result.with(key + "_executor_rss_mb", r.executorRssMb());
        }
      }
    }
    System.out.println(result.with("epochs", epochs).with("examples", examples).line());
    return ExitCode.OK.code();
  }

  /** The training settings with other epochs, patience and distribution. */
  private static CosmicConfig.Training with(CosmicConfig.Training t, int epochs, int patience, CosmicConfig.Distributed d) {
    return new CosmicConfig.Training(t.backbone(), t.kerasModel(), t.weightsDir(), t.allowRandomWeights(), t.resnetVariant(), t.mode(),
        t.inputSize(), t.unfreezeFrom(), t.featureViews(), epochs, t.batchSize(), t.learningRate(), t.hidden(),
        t.dropout(), t.l2(), patience, t.classWeights(), t.seed(), t.head(), t.cvFolds(), t.featureLayers(), t.modelDir(), d);
  }

  private Run distributed(CosmicConfig config, CosmicConfig.Training fixed, String master, int workers, int cores,
      Path jar, String name, List<float[][]> trainX, int[] trainY, List<float[][]> valX, int[] valY,
      List<String> classes, long examples) {
    Map<String, String> conf = new LinkedHashMap<>(config.spark().conf());
    conf.put("spark.jars", jar.toAbsolutePath().toString());
    conf.put("spark.executorEnv.OMP_NUM_THREADS", Integer.toString(cores));
    conf.put("spark.executor.extraJavaOptions", "-Daeron.publication.unblock.timeout=60000000000 -Daeron.dir="
        + System.getProperty("java.io.tmpdir") + "/cosmic-aeron");
    System.setProperty("aeron.publication.unblock.timeout", "60000000000");
    CosmicConfig.Distributed d = new CosmicConfig.Distributed("spark", master, workers * cores,
        fixed.distributed().averagingFrequency(), fixed.distributed().sharedPort(), "127.0.0.0/8", "127.0.0.1");
    CosmicConfig.Training tt = with(fixed, fixed.epochs(), fixed.patience(), d);
    CosmicConfig c = new CosmicConfig(config.lake(), new CosmicConfig.Spark("local-cluster[" + workers + "," + cores
        + "," + executorMemoryMb + "]", config.spark().appName(), config.spark().shufflePartitions(), conf),
        config.s3(), config.nasa(), config.ingest(), config.progress(), config.eda(), config.clean(), config.split(),
        config.inputs(), tt, config.decode());
    SparkSession spark = SparkSessions.getOrCreate(c, null);
    // measured: shared gradients on 2 worker JVMs here never finished an epoch; a run must not hang the bench
    java.util.concurrent.ScheduledExecutorService watchdog = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    watchdog.schedule(() -> spark.sparkContext().cancelAllJobs(), runTimeoutS, java.util.concurrent.TimeUnit.SECONDS);
    try {
      SparkHeadTrainer.Trained r = new SparkHeadTrainer(spark, tt).train(trainX, trainY, valX, valY, classes);
      return new Run(name, workers, r.epochs(), examples, null, executorPeakRssMb());
    } catch (Exception e) { // SparkException (checked, thrown from Scala) when the watchdog cancels
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String why = root.getClass().getSimpleName() + ": " + root.getMessage();
      return new Run(name, workers, List.of(), examples, why.contains("cancellation of all jobs")
          ? "no epoch finished within --run-timeout-s " + runTimeoutS + " s (cancelled)" : why, Double.NaN);
    } finally {
      watchdog.shutdownNow();
      spark.stop();
    }
  }

  /**
   * Summed peak RSS (VmHWM) of the executor JVMs: with local-cluster they are child processes of this JVM's
   * in-process workers, so this JVM's descendants running Spark's executor backend.
   */
  static double executorPeakRssMb() {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
        .mapToDouble(p -> {
          try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
              if (l.startsWith("VmHWM:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
              }
            }
          } catch (Exception e) {
            return 0; // the executor ended meanwhile
          }
          return 0;
        }).sum();
  }
}

package com.cosmicmorphology.training.bench;

import com.cosmicmorphology.common.bench.BenchResult;
import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.zoo.model.ResNet50;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./cosmic bench train}: DL4J ResNet50 training and inference throughput (random weights, random
 * non-zero inputs, median of the measured iterations after warm-up), the offline backbone's inference, a
 * measured SGEMM peak for GFLOP/s, and in the same run the PyTorch reference (torchvision resnet50,
 * same batch, size and threads) in a child process of Debian's python3-torch.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "DL4J ResNet50 training/inference throughput against PyTorch in the same run.")
public final class TrainBenchmark implements Callable<Integer> {
  /** ResNet50 forward pass: ~4.1 GMAC = 8.2 GFLOP per 224x224 image; training ~3x. */
  static final double FORWARD_GFLOP_224 = 8.2;

  @Option(names = "--size", defaultValue = "224") int size;
  @Option(names = "--batch", defaultValue = "16") int batch;
  @Option(names = "--warmup", defaultValue = "2") int warmup;
  @Option(names = "--iterations", defaultValue = "5") int iterations;
  @Option(names = "--threads", defaultValue = "0", description = "Threads for both (0 = available cores).") int threads;
  @Option(names = "--python", defaultValue = "/usr/bin/python3") String python;
  @Option(names = "--skip-torch", description = "Run DL4J only.") boolean skipTorch;
  @Option(names = "--keras-model", defaultValue = "models/mobilenet_v2_imagenet_block10_features.h5") Path kerasModel;

  @Override
  public Integer call() throws Exception {
    int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    com.cosmicmorphology.training.backbone.OneDnnHelpers.enable();
    double gemm = sgemmPeak();
    ComputationGraph net = ResNet50.builder().numClasses(1000).seed(42).inputShape(new int[] {3, size, size})
        .weightInit(WeightInit.RELU.getWeightInitFunction()).build().init();
    INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, size, size).addi(0.01);
    INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 1000);
    for (int i = 0; i < batch; i++) {
      y.putScalar(i, (i * 37) % 1000, 1f);
    }
    DataSet ds = new DataSet(x, y);
    double train = median(warmup, iterations, () -> net.fit(ds));
    double rssTrain = BenchResult.peakRssMb();
    double infer = median(warmup, iterations, () -> net.outputSingle(false, x));
    double keras = Double.NaN;
    if (Files.isRegularFile(kerasModel)) {
      ComputationGraph k = KerasModelImport.importKerasModelAndWeights(kerasModel.toString(), false);
      INDArray kx = Nd4j.rand(DataType.FLOAT, batch, 224, 224, 3);
      keras = median(warmup, iterations, () -> k.outputSingle(false, kx));
    }
    double trainImgS = batch / train;
    double inferImgS = batch / infer;
    double scale = Math.pow(size / 224.0, 2);
    double trainGflops = trainImgS * 3 * FORWARD_GFLOP_224 * scale;

    Map<String, Object> torch = skipTorch ? Map.of() : torch(t);
    double torchTrain = torch.isEmpty() ? Double.NaN : ((Number) torch.get("train_img_s")).doubleValue();
    double torchInfer = torch.isEmpty() ? Double.NaN : ((Number) torch.get("infer_img_s")).doubleValue();
    double torchRss = torch.isEmpty() ? Double.NaN : ((Number) torch.get("peak_rss_mb")).doubleValue();

    System.out.printf("%-44s %12s %12s%n", "case (" + size + "px, batch " + batch + ", " + t + " threads)", "images/s", "GFLOP/s");
    System.out.printf("%-44s %12.2f %12.1f%n", "DL4J ResNet50 training", trainImgS, trainGflops);
    System.out.printf("%-44s %12.2f %12.1f%n", "DL4J ResNet50 inference", inferImgS, inferImgS * FORWARD_GFLOP_224 * scale);
    System.out.printf("%-44s %12.2f%n", "DL4J offline backbone (MobileNetV2-b10) inference", batch / keras);
    System.out.printf("%-44s %12.2f %12.1f%n", "PyTorch ResNet50 training", torchTrain, torchTrain * 3 * FORWARD_GFLOP_224 * scale);
    System.out.printf("%-44s %12.2f%n", "PyTorch ResNet50 inference", torchInfer);
    System.out.printf("SGEMM peak (ND4J, 2048^3 float): %.1f GFLOP/s; DL4J training reaches %.0f%% of it%n", gemm,
        100 * trainGflops / gemm);
    System.out.printf("peak RSS: DL4J after training %.0f MB (whole JVM), PyTorch %.0f MB%n", rssTrain, torchRss);
    System.out.println(new BenchResult("train", trainImgS, torchTrain, "images/s")
        .with("infer_img_s", inferImgS).with("baseline_infer_img_s", torchInfer)
        .with("keras_infer_img_s", batch / keras).with("train_gflops", trainGflops).with("sgemm_gflops", gemm)
        .with("baseline_peak_rss_mb", torchRss).with("rss_ratio", rssTrain / torchRss).with("threads", t)
        .with("size", size).with("batch", batch)
        .with("onednn_helpers", com.cosmicmorphology.training.backbone.OneDnnHelpers.enabled()).line());
    return ExitCode.OK.code();
  }

  private Map<String, Object> torch(int t) throws Exception {
    Path script = Files.createTempFile("torch_reference", ".py");
    try (InputStream in = TrainBenchmark.class.getResourceAsStream("/bench/torch_reference.py")) {
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Process p = new ProcessBuilder(python, script.toString(), Integer.toString(size), Integer.toString(batch),
        Integer.toString(t), Integer.toString(warmup), Integer.toString(iterations)).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new CosmicException(ExitCode.JOB_FAILED, "PyTorch reference failed (" + python + "): "
          + (err.isBlank() ? out : err.strip().lines().reduce((a, b) -> b).orElse("")) + "; install it with "
          + "'apt-get install python3-torch python3-torchvision' or pass --skip-torch");
    }
    String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
    @SuppressWarnings("unchecked")
    Map<String, Object> m = new ObjectMapper().readValue(last, Map.class);
    return m;
  }

  /** Median seconds of {@code n} runs after {@code warm} warm-ups, with a GC between runs (ND4J off-heap). */
  static double median(int warm, int n, Runnable r) {
    List<Double> s = new ArrayList<>();
    for (int i = 0; i < warm + n; i++) {
      System.gc();
      long t0 = System.nanoTime();
      r.run();
      double d = (System.nanoTime() - t0) / 1e9;
      if (i >= warm) {
        s.add(d);
      }
    }
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  /** GFLOP/s of a 2048x2048x2048 float matrix product (2*n^3 flops), best of 5. */
  static double sgemmPeak() {
    int n = 2048;
    INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
    double best = 0;
    for (int i = 0; i < 6; i++) {
      long t0 = System.nanoTime();
      a.mmul(b);
      double s = (System.nanoTime() - t0) / 1e9;
      if (i > 0) {
        best = Math.max(best, 2.0 * n * n * n / s / 1e9);
      }
    }
    return best;
  }
}

package com.cosmicmorphology.training.head;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.training.eval.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the classification head on cached features: one hidden ReLU layer with dropout and L2, softmax
 * output with class-weighted cross-entropy (balanced weights: rare classes count as much as common ones),
 * Adam, a fixed seed and a seeded shuffle. Every view of a training image is an example (augmentation);
 * validation averages the class probabilities over views. Early stopping keeps the epoch with the best
 * validation macro-F1 (ties: higher accuracy, then earlier) and stops after {@code patience} epochs without gain.
 */
public final class HeadTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(HeadTrainer.class);

  /** The trained head and how it got there. */
  public record Trained(MultiLayerNetwork net, Standardiser standardiser, int bestEpoch, int epochsRun,
      Metrics.Report validation) {}

  /** Every view of every training image as one example (augmentation), with its image's class. */
  public record Examples(List<float[]> rows, List<Integer> labels) {
    public static Examples of(List<float[][]> images, int[] y) {
      List<float[]> rows = new ArrayList<>();
      List<Integer> ys = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        for (float[] v : images.get(i)) {
          rows.add(v);
          ys.add(y[i]);
        }
      }
      return new Examples(rows, ys);
    }
  }

  /** One epoch: wall seconds of its training steps, then the validation metrics after it. */
  public record EpochLog(int epoch, double fitSeconds, double valAccuracy, double valMacroF1) {}

  private final CosmicConfig.Training conf;
  private java.util.function.Consumer<EpochLog> epochs = e -> { };

  public HeadTrainer(CosmicConfig.Training conf) {
    this.conf = conf;
  }

  /** Receives every epoch's timing and validation metrics (the benchmarks use it). */
  public HeadTrainer onEpoch(java.util.function.Consumer<EpochLog> listener) {
    this.epochs = listener;
    return this;
  }

  /**
   * @param train per image: its views' features
   * @param trainY class index per image
   */
  public Trained train(List<float[][]> train, int[] trainY, List<float[][]> val, int[] valY, List<String> classes) {
    int k = classes.size();
    Examples ex = Examples.of(train, trainY);
    List<float[]> rows = ex.rows();
    List<Integer> ys = ex.labels();
    Standardiser st = Standardiser.fit(rows.toArray(new float[0][]));
    int d = rows.get(0).length;
    MultiLayerNetwork net = new MultiLayerNetwork(network(d, k, classWeights(trainY, k, conf.classWeights())));
    net.init();

    Random rnd = new Random(conf.seed());
    Integer[] order = new Integer[rows.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    EarlyStopping stop = new EarlyStopping(conf.patience());
    int epoch = 0;
    for (epoch = 1; epoch <= conf.epochs(); epoch++) {
      java.util.Collections.shuffle(java.util.Arrays.asList(order), rnd);
      long t0 = System.nanoTime();
      for (int s = 0; s < order.length; s += conf.batchSize()) {
        int n = Math.min(conf.batchSize(), order.length - s);
        float[][] x = new float[n][];
        float[][] y = new float[n][k];
        for (int i = 0; i < n; i++) {
          x[i] = st.apply(rows.get(order[s + i]));
          y[i][ys.get(order[s + i])] = 1f;
        }
        net.fit(new DataSet(Nd4j.create(x), Nd4j.create(y)));
      }
      double fit = (System.nanoTime() - t0) / 1e9;
      Metrics.Report r = Metrics.of(probabilities(net, st, val), valY, classes);
      epochs.accept(new EpochLog(epoch, fit, r.accuracy(), r.macroF1()));
      if (stop.update(epoch, r, net.params())) {
        break;
      }
    }
    net.setParams(stop.bestParams());
    LOG.info("head: best epoch {} of {} (validation accuracy {}, macro-F1 {})", stop.bestEpoch(), Math.min(epoch, conf.epochs()),
        String.format("%.3f", stop.best().accuracy()), String.format("%.3f", stop.best().macroF1()));
    return new Trained(net, st, stop.bestEpoch(), Math.min(epoch, conf.epochs()), stop.best());
  }

  /** Class probabilities per image, averaged over its views. */
  public static double[][] probabilities(MultiLayerNetwork net, Standardiser st, List<float[][]> images) {
    double[][] out = new double[images.size()][];
    for (int i = 0; i < images.size(); i++) {
      float[][] views = images.get(i);
      float[][] x = new float[views.length][];
      for (int v = 0; v < views.length; v++) {
        x[v] = st.apply(views[v]);
      }
      INDArray p = net.output(Nd4j.create(x), false).mean(0);
      out[i] = p.castTo(DataType.DOUBLE).toDoubleVector();
    }
    return out;
  }

  /** The head's architecture: d features in, k classes out, class-weighted cross-entropy. */
  public MultiLayerConfiguration network(int d, int k, float[] weights) {
    return new NeuralNetConfiguration.Builder()
        .seed(conf.seed())
        .dataType(DataType.FLOAT)
        .updater(new Adam(conf.learningRate()))
        .weightInit(WeightInit.RELU)
        .l2(conf.l2())
        .list()
        .layer(new DenseLayer.Builder().nIn(d).nOut(conf.hidden()).activation(Activation.RELU)
            .dropOut(1.0 - conf.dropout()).build())
        .layer(new OutputLayer.Builder(new LossMCXENT(Nd4j.create(weights))).nIn(conf.hidden()).nOut(k)
            .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build())
        .build();
  }

  /** Balanced weights n / (k * n_c), capped at 10 so a class of 3 images does not dominate; 1 if disabled. */
  public static float[] classWeights(int[] y, int k, boolean enabled) {
    float[] w = new float[k];
    java.util.Arrays.fill(w, 1f);
    if (!enabled) {
      return w;
    }
    int[] n = new int[k];
    for (int c : y) {
      n[c]++;
    }
    for (int c = 0; c < k; c++) {
      w[c] = n[c] == 0 ? 1f : (float) Math.min(10.0, (double) y.length / (k * n[c]));
    }
    return w;
  }
}

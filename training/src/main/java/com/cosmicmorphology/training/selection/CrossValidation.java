package com.cosmicmorphology.training.selection;

import com.cosmicmorphology.training.eval.Metrics;
import com.cosmicmorphology.training.head.HeadSpec;
import com.cosmicmorphology.training.head.HeadTrainer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grouped, stratified k-fold cross-validation of heads over cached features, every (candidate, fold) pair one
 * Spark task (the features travel once, as a broadcast). Each task trains on the other folds and scores its
 * held-out fold every {@code every} epochs, so one run gives the whole learning curve: the epoch count is
 * chosen on the pooled out-of-fold predictions (best macro-F1, ties: accuracy, then fewer epochs) instead of
 * on one small validation split, where a rare class has one or two images. The majority class is scored the
 * same way as a floor every report shows.
 */
public final class CrossValidation {
    private static final Logger LOG = LoggerFactory.getLogger(CrossValidation.class);

    /** One candidate's estimate at its chosen epoch count. Spreads are the standard deviation over folds. */
    public record Estimate(
            String name,
            HeadSpec spec,
            int epochs,
            double accuracy,
            double accuracySpread,
            double macroF1,
            double macroF1Spread,
            Metrics.Report pooled,
            double taskSeconds) {}

    /** Every candidate's estimate, the majority-class floor, and which candidate won. */
    public record Outcome(
            List<Estimate> candidates,
            Estimate majority,
            int chosen,
            int folds,
            long seed,
            int images,
            double seconds) {
        public Estimate best() {
            return candidates.get(chosen);
        }
    }

    private final SparkSession spark;
    private final int folds;
    private final long seed;
    private final int maxEpochs;
    private final int every;

    /**
     * @param maxEpochs longest training scored
     * @param every epochs between two scorings of the held-out fold
     */
    public CrossValidation(SparkSession spark, int folds, long seed, int maxEpochs, int every) {
        this.spark = spark;
        this.folds = folds;
        this.seed = seed;
        this.maxEpochs = maxEpochs;
        this.every = Math.max(1, Math.min(every, maxEpochs));
    }

    /**
     * @param x per image: its views' features
     * @param y class index per image
     * @param groups near-duplicate group per image
     */
    public Outcome run(
            List<float[][]> x, int[] y, List<String> groups, List<String> classes, List<HeadSpec> candidates) {
        return run(x, List.of(), y, groups, classes, candidates);
    }

    /**
     * @param trainOnly per image: extra examples (synthetic variants' features) that train with the image when its
     *     fold trains and are never scored; empty for none. Folds are dealt over the real images alone, so runs
     *     with and without them score the same images in the same folds.
     */
    public Outcome run(
            List<float[][]> x,
            List<float[][]> trainOnly,
            int[] y,
            List<String> groups,
            List<String> classes,
            List<HeadSpec> candidates) {
        long t0 = System.nanoTime();
        int k = classes.size();
        int[] fold = GroupedFolds.assign(groups, y, folds, seed);
        List<FoldResult> scored = scoreAll(x, trainOnly, y, fold, k, candidates);
        List<Estimate> estimates = new ArrayList<>();
        for (int c = 0; c < candidates.size(); c++) {
            estimates.add(
                    bestCheckpoint(candidates.get(c), scored.subList(c * folds, (c + 1) * folds), y, fold, classes));
        }
        Estimate majority = estimate("majority class", null, 0, majority(y, fold, k), y, fold, classes, 0);
        int chosen = 0;
        for (int c = 1; c < estimates.size(); c++) {
            if (better(estimates.get(c), estimates.get(chosen))) {
                chosen = c;
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        for (Estimate e : estimates) {
            LOG.info(
                    "cv {}: {} epochs, accuracy {} ± {}, macro-F1 {} ± {}",
                    e.name(),
                    e.epochs(),
                    f3(e.accuracy()),
                    f3(e.accuracySpread()),
                    f3(e.macroF1()),
                    f3(e.macroF1Spread()));
        }
        LOG.info(
                "cv majority class: accuracy {}, macro-F1 {}; chosen: {} ({} folds, {} images, {} s)",
                f3(majority.accuracy()),
                f3(majority.macroF1()),
                estimates.get(chosen).name(),
                folds,
                y.length,
                String.format("%.0f", s));
        return new Outcome(estimates, majority, chosen, folds, seed, y.length, s);
    }

    /** Every (candidate, fold) trained as one Spark task over the broadcast features; candidate-major order. */
    private List<FoldResult> scoreAll(
            List<float[][]> x, List<float[][]> trainOnly, int[] y, int[] fold, int k, List<HeadSpec> candidates) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<float[][][]> bx = jsc.broadcast(x.toArray(new float[0][][]));
        Broadcast<float[][][]> bt = jsc.broadcast(trainOnly.toArray(new float[0][][]));
        List<Task> tasks = new ArrayList<>();
        for (int c = 0; c < candidates.size(); c++) {
            for (int f = 0; f < folds; f++) {
                tasks.add(new Task(c, f, candidates.get(c)));
            }
        }
        int[] yy = y.clone();
        int[] ff = fold.clone();
        int max = maxEpochs;
        int ev = every;
        try {
            return jsc.parallelize(tasks, tasks.size())
                    .map(t -> scoreFold(t.spec(), bx.value(), bt.value(), yy, ff, t.fold(), k, max, ev))
                    .collect();
        } finally {
            bx.destroy();
            bt.destroy();
        }
    }

    /** A candidate's estimate at its best checkpoint (epochs), from its folds' out-of-fold probabilities. */
    private Estimate bestCheckpoint(HeadSpec spec, List<FoldResult> byFold, int[] y, int[] fold, List<String> classes) {
        double seconds = byFold.stream().mapToDouble(FoldResult::seconds).sum();
        Estimate best = null;
        for (int cp = 0; cp < maxEpochs / every; cp++) {
            double[][] oof = new double[y.length][];
            for (int f = 0; f < folds; f++) {
                double[][] p = byFold.get(f).probabilities()[cp];
                int j = 0;
                for (int i = 0; i < y.length; i++) {
                    if (fold[i] == f) {
                        oof[i] = p[j++];
                    }
                }
            }
            Estimate e = estimate(spec.label(), spec, (cp + 1) * every, oof, y, fold, classes, seconds);
            if (best == null || better(e, best)) {
                best = e;
            }
        }
        return best;
    }

    /** Higher macro-F1 wins; at equal macro-F1, higher accuracy; otherwise the earlier stays. */
    private static boolean better(Estimate e, Estimate than) {
        return e.macroF1() > than.macroF1() + 1e-9
                || (Math.abs(e.macroF1() - than.macroF1()) <= 1e-9 && e.accuracy() > than.accuracy() + 1e-9);
    }

    /** One Spark task: train on every fold but {@code f}; held-out class probabilities at every checkpoint. */
    static FoldResult scoreFold(
            HeadSpec spec,
            float[][][] x,
            float[][][] trainOnly,
            int[] y,
            int[] fold,
            int f,
            int k,
            int maxEpochs,
            int every) {
        long t0 = System.nanoTime();
        List<float[][]> train = new ArrayList<>();
        List<float[][]> held = new ArrayList<>();
        List<Integer> trainY = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (fold[i] == f) {
                held.add(x[i]); // real views only: a synthetic variant is never scored
            } else if (trainOnly.length == 0 || trainOnly[i].length == 0) {
                train.add(x[i]);
                trainY.add(y[i]);
            } else {
                float[][] both = java.util.Arrays.copyOf(x[i], x[i].length + trainOnly[i].length);
                System.arraycopy(trainOnly[i], 0, both, x[i].length, trainOnly[i].length);
                train.add(both);
                trainY.add(y[i]);
            }
        }
        double[][][] out = new double[maxEpochs / every][][];
        OneThreadPerTask.enter();
        try {
            new HeadTrainer(spec, maxEpochs, maxEpochs)
                    .fit(
                            train,
                            trainY.stream().mapToInt(Integer::intValue).toArray(),
                            k,
                            maxEpochs,
                            (epoch, seconds, net, st) -> {
                                if (epoch % every == 0) {
                                    out[epoch / every - 1] = HeadTrainer.probabilities(net, st, held);
                                }
                                return false;
                            });
        } finally {
            OneThreadPerTask.exit();
        }
        return new FoldResult(out, (System.nanoTime() - t0) / 1e9);
    }

    /** The majority class of each training fold, as probabilities: that fold's class frequencies. */
    static double[][] majority(int[] y, int[] fold, int k) {
        double[][] out = new double[y.length][];
        int folds = Arrays.stream(fold).max().orElse(0) + 1;
        for (int f = 0; f < folds; f++) {
            double[] freq = new double[k];
            int n = 0;
            for (int i = 0; i < y.length; i++) {
                if (fold[i] != f) {
                    freq[y[i]]++;
                    n++;
                }
            }
            for (int c = 0; c < k; c++) {
                freq[c] /= Math.max(1, n);
            }
            for (int i = 0; i < y.length; i++) {
                if (fold[i] == f) {
                    out[i] = freq;
                }
            }
        }
        return out;
    }

    private static Estimate estimate(
            String name,
            HeadSpec spec,
            int epochs,
            double[][] oof,
            int[] y,
            int[] fold,
            List<String> classes,
            double seconds) {
        Metrics.Report pooled = Metrics.of(oof, y, classes);
        int folds = Arrays.stream(fold).max().orElse(0) + 1;
        double[] acc = new double[folds];
        double[] f1 = new double[folds];
        for (int f = 0; f < folds; f++) {
            int ff = f;
            int[] idx = java.util.stream.IntStream.range(0, y.length)
                    .filter(i -> fold[i] == ff)
                    .toArray();
            double[][] p = Arrays.stream(idx).mapToObj(i -> oof[i]).toArray(double[][]::new);
            Metrics.Report r = Metrics.of(p, Arrays.stream(idx).map(i -> y[i]).toArray(), classes);
            acc[f] = r.accuracy();
            f1[f] = r.macroF1();
        }
        return new Estimate(name, spec, epochs, pooled.accuracy(), sd(acc), pooled.macroF1(), sd(f1), pooled, seconds);
    }

    private static double sd(double[] v) {
        double m = Arrays.stream(v).average().orElse(0);
        return Math.sqrt(Arrays.stream(v).map(a -> (a - m) * (a - m)).sum() / Math.max(1, v.length - 1));
    }

    private static String f3(double v) {
        return String.format("%.3f", v);
    }

    /** What one task sends back: held-out probabilities per checkpoint, and its wall time. */
    record FoldResult(double[][][] probabilities, double seconds) implements Serializable {}

    /** One (candidate, fold) pair. */
    record Task(int candidate, int fold, HeadSpec spec) implements Serializable {}
}

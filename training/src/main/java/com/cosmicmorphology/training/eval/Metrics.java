package com.cosmicmorphology.training.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification metrics from class probabilities: per class precision, recall, F1, support and one-vs-rest
 * ROC AUC (rank statistic, ties averaged); overall accuracy, macro-F1 and macro AUC; the confusion matrix.
 */
public final class Metrics {
    private Metrics() {}

    /** Per-class numbers. */
    public record PerClass(String label, double precision, double recall, double f1, long support, double auc) {}

    /** All of it. */
    public record Report(
            double accuracy,
            double macroF1,
            double macroAuc,
            List<PerClass> classes,
            long[][] confusion,
            List<String> labels,
            int[] predicted) {

        /** Flat name -> value map, class null for overall metrics (the metrics table's rows). */
        public Map<String, Map<String, Double>> byClass() {
            Map<String, Map<String, Double>> m = new LinkedHashMap<>();
            m.put(null, Map.of("accuracy", accuracy, "macro_f1", macroF1, "macro_roc_auc", macroAuc));
            for (PerClass c : classes) {
                Map<String, Double> v = new LinkedHashMap<>();
                v.put("precision", c.precision());
                v.put("recall", c.recall());
                v.put("f1", c.f1());
                v.put("support", (double) c.support());
                v.put("roc_auc", c.auc());
                m.put(c.label(), v);
            }
            return m;
        }

        public String table() {
            StringBuilder sb = new StringBuilder(String.format(
                    "%-28s %9s %9s %9s %9s %9s%n", "class", "precision", "recall", "f1", "support", "roc_auc"));
            for (PerClass c : classes) {
                sb.append(String.format(
                        "%-28s %9.3f %9.3f %9.3f %9d %9.3f%n",
                        c.label(), c.precision(), c.recall(), c.f1(), c.support(), c.auc()));
            }
            sb.append(String.format(
                    "%-28s %9s %9s %9.3f %9d %9.3f%n",
                    "macro",
                    "",
                    "",
                    macroF1,
                    Arrays.stream(confusion)
                            .mapToLong(r -> Arrays.stream(r).sum())
                            .sum(),
                    macroAuc));
            sb.append(String.format("accuracy %.3f%n", accuracy));
            return sb.toString();
        }
    }

    /**
     * The confusion matrix normalised by row: cell (true r, predicted c) is the share of class r's images predicted
     * as c, so the diagonal is each class's recall and a rare class reads as clearly as a common one. A class with
     * no images in the split has no recall: its row is NaN, not a row of zeros that would read as "always wrong".
     */
    public static double[][] rowNormalised(long[][] confusion) {
        double[][] out = new double[confusion.length][];
        for (int r = 0; r < confusion.length; r++) {
            long total = Arrays.stream(confusion[r]).sum();
            out[r] = new double[confusion[r].length];
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = total == 0 ? Double.NaN : (double) confusion[r][c] / total;
            }
        }
        return out;
    }

    public static Report of(double[][] probs, int[] truth, List<String> labels) {
        int k = labels.size();
        long[][] cm = new long[k][k];
        int[] pred = new int[probs.length];
        for (int i = 0; i < probs.length; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (probs[i][c] > probs[i][best]) {
                    best = c;
                }
            }
            pred[i] = best;
            cm[truth[i]][best]++;
        }
        long correct = 0;
        for (int c = 0; c < k; c++) {
            correct += cm[c][c];
        }
        List<PerClass> per = new ArrayList<>();
        double f1Sum = 0;
        double aucSum = 0;
        int present = 0;
        int withAuc = 0;
        for (int c = 0; c < k; c++) {
            long tp = cm[c][c];
            long fp = 0;
            long fn = 0;
            for (int o = 0; o < k; o++) {
                if (o != c) {
                    fp += cm[o][c];
                    fn += cm[c][o];
                }
            }
            long support = tp + fn;
            double p = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
            double r = support == 0 ? 0 : (double) tp / support;
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            double auc = auc(probs, truth, c);
            per.add(new PerClass(labels.get(c), p, r, f1, support, auc));
            if (support > 0) {
                f1Sum += f1;
                present++;
            }
            if (!Double.isNaN(auc)) {
                aucSum += auc;
                withAuc++;
            }
        }
        // macro over the classes present in this split: an absent class has no F1 to average
        return new Report(
                probs.length == 0 ? 0 : (double) correct / probs.length,
                present == 0 ? 0 : f1Sum / present,
                withAuc == 0 ? Double.NaN : aucSum / withAuc,
                per,
                cm,
                labels,
                pred);
    }

    /** One-vs-rest ROC AUC via the Mann-Whitney statistic; NaN when the class or its complement is absent. */
    static double auc(double[][] probs, int[] truth, int c) {
        Integer[] idx = new Integer[probs.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble(i -> probs[i][c]));
        double[] rank = new double[idx.length];
        for (int i = 0; i < idx.length; ) {
            int j = i;
            while (j + 1 < idx.length && probs[idx[j + 1]][c] == probs[idx[i]][c]) {
                j++;
            }
            for (int t = i; t <= j; t++) {
                rank[idx[t]] = (i + j) / 2.0 + 1;
            }
            i = j + 1;
        }
        long pos = 0;
        double sum = 0;
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] == c) {
                pos++;
                sum += rank[i];
            }
        }
        long neg = truth.length - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (sum - pos * (pos + 1) / 2.0) / (pos * neg);
    }
}

package com.cosmicmorphology.training.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One side of one leg of {@code bench distributed}: a name, the worker shape, the seconds of every timed step
 * (an epoch, or one whole extraction), the work units in one step (images or examples) and, for training, the
 * validation accuracy after each step. {@code executorRssMb}: the summed peak RSS of its executor JVMs (0 for
 * the single JVM); {@code error}: why it has no figures.
 */
record BenchRun(
        String name,
        int workers,
        int cores,
        long unitsPerStep,
        List<Double> stepSeconds,
        List<Double> accuracies,
        String error,
        double executorRssMb,
        int warmUpSteps) {

    BenchRun(
            String name,
            int workers,
            int cores,
            long unitsPerStep,
            List<Double> stepSeconds,
            List<Double> accuracies,
            String error,
            double executorRssMb) {
        this(name, workers, cores, unitsPerStep, stepSeconds, accuracies, error, executorRssMb, 0);
    }

    static BenchRun failed(String name, int workers, int cores, String error) {
        return new BenchRun(name, workers, cores, 0, List.of(), List.of(), error, Double.NaN, 0);
    }

    /** The same run with its first {@code steps} left out of the speed figures (not out of time-to-accuracy). */
    BenchRun warmUp(int steps) {
        return new BenchRun(name, workers, cores, unitsPerStep, stepSeconds, accuracies, error, executorRssMb, steps);
    }

    boolean ok() {
        return error == null && stepSeconds.size() > warmUpSteps;
    }

    /**
     * The median timed step, after the warm-up steps: the first epochs (JIT on a one-core executor, Spark's first
     * jobs, workspaces) are outliers on every side.
     */
    double medianSeconds() {
        return quantile(0.5);
    }

    double unitsPerSecond() {
        return unitsPerStep / medianSeconds();
    }

    /** Units per second of the slowest and fastest step: the spread. */
    double[] range() {
        return new double[] {unitsPerStep / quantile(1), unitsPerStep / quantile(0)};
    }

    /** Seconds of steps until the validation accuracy first reached {@code accuracy}; NaN if it never did. */
    double timeTo(double accuracy) {
        double t = 0;
        for (int i = 0; i < accuracies.size(); i++) {
            t += stepSeconds.get(i);
            if (accuracies.get(i) >= accuracy) {
                return t;
            }
        }
        return Double.NaN;
    }

    double bestAccuracy() {
        return accuracies.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    double lastAccuracy() {
        return accuracies.isEmpty() ? Double.NaN : accuracies.get(accuracies.size() - 1);
    }

    /** The RESULT-line key of the shape: {@code single}, {@code 1x2}, {@code 2x1}. */
    String shape() {
        return workers == 0 ? "single" : workers + "x" + cores;
    }

    private double quantile(double q) {
        double[] s = stepSeconds.subList(Math.min(warmUpSteps, stepSeconds.size()), stepSeconds.size()).stream()
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %s", name, ok() ? Arrays.toString(stepSeconds.toArray()) : error);
    }
}

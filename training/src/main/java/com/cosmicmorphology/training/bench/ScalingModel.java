package com.cosmicmorphology.training.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Predicted throughput at more workers from what one run measured: a model, not a measurement (there are two
 * cores here). Weak scaling: every worker keeps the per-worker batch that was measured.
 * <ul>
 *   <li>Fine-tuning with parameter averaging, per round: compute {@code b*f/r} (b images per minibatch, f
 *       minibatches between averagings, r one worker's images/s), the measured fixed overhead {@code o} of a round
 *       (a Spark job, scheduling, the averaging itself), and the driver's traffic {@code W * bytes / B}: every
 *       worker receives and returns the parameters and updater state, and the driver's link carries them all.
 *       Images/s = {@code W*b*f / (b*f/r + o + W*bytes/B)}.</li>
 *   <li>Feature extraction has no rounds: {@code W * r * e} with e the measured 2-worker efficiency.</li>
 * </ul>
 * A GPU worker is assumed {@code gpuSpeedup} times one measured CPU core (a stated assumption).
 */
record ScalingModel(
        double coreFineTuneRate,
        int perWorkerBatch,
        int averagingFrequency,
        double roundOverheadS,
        double bytesPerWorkerRound,
        double driverBytesPerS,
        double coreExtractRate,
        double extractEfficiency,
        double gpuSpeedup) {

    double fineTune(int workers, double workerRate) {
        double images = (double) perWorkerBatch * averagingFrequency;
        return workers
                * images
                / (images / workerRate + Math.max(0, roundOverheadS) + workers * bytesPerWorkerRound / driverBytesPerS);
    }

    double extract(int workers, double workerRate) {
        return workers * workerRate * extractEfficiency;
    }

    void print(PrintStream out) {
        out.printf(
                Locale.ROOT,
                "%nscaling model (predicted, not measured): weak scaling, %d images per worker minibatch, "
                        + "averaging every %d; round overhead %.3f s (measured at 2 workers); %.1f MB per worker per round over a "
                        + "driver link of %.1f Gbit/s (assumed); a GPU worker = %.0fx one CPU core (assumed)%n",
                perWorkerBatch,
                averagingFrequency,
                roundOverheadS,
                bytesPerWorkerRound / 1e6,
                driverBytesPerS * 8 / 1e9,
                gpuSpeedup);
        out.printf(
                "%8s %18s %18s %18s %18s%n", "workers", "fine-tune CPU", "fine-tune GPU", "extract CPU", "extract GPU");
        for (int w : new int[] {8, 32, 128}) {
            out.printf(
                    Locale.ROOT,
                    "%8d %14.0f i/s %14.0f i/s %14.0f i/s %14.0f i/s%n",
                    w,
                    fineTune(w, coreFineTuneRate),
                    fineTune(w, coreFineTuneRate * gpuSpeedup),
                    extract(w, coreExtractRate),
                    extract(w, coreExtractRate * gpuSpeedup));
        }
    }
}

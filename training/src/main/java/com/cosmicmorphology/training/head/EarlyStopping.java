package com.cosmicmorphology.training.head;

import com.cosmicmorphology.training.eval.Metrics;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keeps the parameters of the epoch with the best validation macro-F1 (ties: higher accuracy, then the
 * earlier epoch) and says when {@code patience} epochs have passed without a gain.
 */
public final class EarlyStopping {
    private final int patience;
    private double bestF1 = -1;
    private double bestAccuracy = -1;
    private int bestEpoch;
    private INDArray bestParams;
    private Metrics.Report best;

    public EarlyStopping(int patience) {
        this.patience = patience;
    }

    /** Records an epoch's validation report; true when training should stop. */
    public boolean update(int epoch, Metrics.Report r, INDArray params) {
        boolean better = r.macroF1() > bestF1 + 1e-9
                || (Math.abs(r.macroF1() - bestF1) <= 1e-9 && r.accuracy() > bestAccuracy + 1e-9);
        if (better || bestParams == null) {
            bestF1 = r.macroF1();
            bestAccuracy = r.accuracy();
            bestEpoch = epoch;
            bestParams = params.dup();
            best = r;
            return false;
        }
        return epoch - bestEpoch >= patience;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public INDArray bestParams() {
        return bestParams;
    }

    public Metrics.Report best() {
        return best;
    }
}

package com.cosmicmorphology.training.head;

/**
 * One fine-tuning epoch, as either trainer (in this JVM or on the Spark executors) reports it: fit seconds over
 * its training images, then the validation pass's seconds and figures.
 */
public record FineTuneEpoch(
        int epoch, long images, double fitSeconds, double validationSeconds, double accuracy, double macroF1) {
    public double imagesPerSecond() {
        return images / fitSeconds;
    }
}

package com.cosmicmorphology.training.distributed;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes distributed training repeatable: dropout masks come from ND4J's per-thread random generator, whose
 * state on an executor thread depends on whatever that thread ran before (found when a test repeated a
 * distributed run after other trainings and got other metrics). Seeding it from the training seed and the
 * minibatch's own contents, before each minibatch is fitted, gives a minibatch the same mask whichever thread
 * or JVM fits it.
 */
final class MinibatchSeed implements TrainingHook {
    private static final long serialVersionUID = 1L;
    private final long seed;

    MinibatchSeed(long seed) {
        this.seed = seed;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        Nd4j.getRandom()
                .setSeed(seed * 31
                        + Arrays.hashCode(minibatch.getFeatures().data().asFloat()));
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        // nothing after the update
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        Nd4j.getRandom()
                .setSeed(seed * 31
                        + Arrays.hashCode(minibatch.getFeatures(0).data().asFloat()));
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        // nothing after the update
    }
}

package com.cosmicmorphology.training.distributed;

import com.cosmicmorphology.common.config.CosmicConfig;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/** Builds the dl4j-spark training master named by {@code training.distributed.training-master}. */
public final class TrainingMasters {
    private TrainingMasters() {}

    /**
     * @param workers data-parallel workers (one per executor core)
     * @param seed seeds the per-epoch split of the examples between averaging rounds
     */
    public static TrainingMaster<?, ?> create(CosmicConfig.Distributed d, int workers, int batchSize, long seed) {
        if (d.trainingMaster().equals("shared")) {
            VoidConfiguration.VoidConfigurationBuilder vc =
                    VoidConfiguration.builder().unicastPort(d.sharedPort());
            if (!d.sharedNetworkMask().isBlank()) {
                vc.networkMask(d.sharedNetworkMask());
            }
            if (!d.sharedControllerAddress().isBlank()) {
                vc.controllerAddress(d.sharedControllerAddress());
            }
            return new SharedTrainingMaster.Builder(vc.build(), workers, 1e-3, 1)
                    .batchSizePerWorker(batchSize)
                    .workersPerNode(1)
                    .rngSeed(seed)
                    .repartitionData(Repartition.Never)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .collectTrainingStats(false)
                    .build();
        }
        // One example per DataSet object: the master batches them per worker, and its seeded random split of the
        // objects between averaging rounds reshuffles the examples every epoch.
        return new ParameterAveragingTrainingMaster.Builder(workers, 1)
                .batchSizePerWorker(batchSize)
                .averagingFrequency(d.averagingFrequency())
                .workerPrefetchNumBatches(0)
                .rngSeed(seed)
                .trainingHooks(new MinibatchSeed(seed))
                .repartionData(Repartition.Never)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .saveUpdater(true)
                .collectTrainingStats(false)
                .build();
    }
}

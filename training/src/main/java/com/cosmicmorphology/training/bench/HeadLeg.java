package com.cosmicmorphology.training.bench;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.training.distributed.SparkHeadTrainer;
import com.cosmicmorphology.training.head.HeadTrainer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The frozen-mode leg of {@code bench distributed}: the head trained on the same cached features for the same
 * epochs (no early stopping), in this JVM or with dl4j-spark on the worker JVMs; both standardise the
 * features the same way ({@code Standardiser.fit} over the training rows).
 */
final class HeadLeg {
    private final List<float[][]> trainX;
    private final List<float[][]> valX;
    private final int[] trainY;
    private final int[] valY;
    private final List<String> classes;
    final long examples;

    HeadLeg(List<float[][]> trainX, int[] trainY, List<float[][]> valX, int[] valY, List<String> classes) {
        this.trainX = trainX;
        this.trainY = trainY;
        this.valX = valX;
        this.valY = valY;
        this.classes = classes;
        this.examples = trainX.stream().mapToLong(v -> v.length).sum();
    }

    BenchRun single(CosmicConfig.Training t, String name) {
        List<HeadTrainer.EpochLog> log = new ArrayList<>();
        new HeadTrainer(t).onEpoch(log::add).train(trainX, trainY, valX, valY, classes);
        return run(name, 0, 0, log, 0);
    }

    BenchRun distributed(SparkSession spark, CosmicConfig.Training t, String name, int workers, int cores) {
        SparkHeadTrainer.Trained r = new SparkHeadTrainer(spark, t).train(trainX, trainY, valX, valY, classes);
        return run(name, workers, cores, r.epochs(), WorkerCluster.executorPeakRssMb());
    }

    private BenchRun run(String name, int workers, int cores, List<HeadTrainer.EpochLog> log, double rss) {
        return new BenchRun(
                name,
                workers,
                cores,
                examples,
                log.stream().map(HeadTrainer.EpochLog::fitSeconds).toList(),
                log.stream().map(HeadTrainer.EpochLog::valAccuracy).toList(),
                null,
                rss);
    }
}

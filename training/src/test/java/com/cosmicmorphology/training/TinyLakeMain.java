package com.cosmicmorphology.training;

import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.testing.SharedSpark;

/**
 * Writes {@link TrainingTest}'s small lake (splits, curated images, model inputs) at {@code args[0]}, in a JVM
 * of its own: integration tests share one JVM, and a local session started there would be the one every
 * later {@code getOrCreate} returns, cluster masters ignored (ClusterPipelineIT).
 */
public final class TinyLakeMain {
    private TinyLakeMain() {}

    public static void main(String[] args) throws Exception {
        TrainingTest.writeLake(SharedSpark.get(), new LakeLayout(args[0]), TrainingTest.CLASSES, true);
        System.exit(0);
    }
}

package com.cosmicmorphology.training.bench;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.features.FeatureStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * The feature-extraction leg of {@code bench distributed}: {@code features_<backbone>} computed for the same
 * images and views from nothing, the way {@code train} computes it: in this JVM (local master) or by the
 * executors (a cluster master), each time into an empty table of the bench's scratch lake. One warm-up
 * extraction of a few images first on every side (an executor JVM imports the network on its first task;
 * the driver's is built before timing), then {@code repeats} timed ones; every one must compute every vector.
 */
final class ExtractLeg {
    private static final int WARM_UP_IMAGES = 16;
    private final List<LabelledImage> images;
    private final int repeats;

    ExtractLeg(List<LabelledImage> images, int repeats) {
        this.images = images;
        this.repeats = repeats;
    }

    /** Forward arithmetic of one image view through the backbone (counted from its graph). */
    static double forwardFlops(Backbone backbone) {
        int s = backbone.inputSize();
        return GraphFlops.forwardFlops(
                backbone.graph().getConfiguration(), InputType.convolutional(s, s, 3, backbone.inputLayout()));
    }

    BenchRun run(
            SparkSession spark,
            LakeLayout scratch,
            CosmicConfig.Training t,
            String policy,
            String name,
            int workers,
            int cores) {
        Backbone backbone = Backbones.create(t);
        int views = t.featureViews();
        extract(spark, scratch, backbone, t, policy, images.subList(0, Math.min(WARM_UP_IMAGES, images.size())), views);
        List<Double> seconds = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            long computed = extract(spark, scratch, backbone, t, policy, images, views);
            seconds.add((System.nanoTime() - t0) / 1e9);
            if (computed != (long) images.size() * views) {
                throw new IllegalStateException(name + " computed " + computed + " feature vectors, not "
                        + images.size() * views + ": the table was not empty");
            }
        }
        return new BenchRun(
                name,
                workers,
                cores,
                (long) images.size() * views,
                seconds,
                List.of(),
                null,
                workers == 0 ? 0 : WorkerCluster.executorPeakRssMb());
    }

    /** One extraction into an empty table: the vectors computed. */
    private static long extract(
            SparkSession spark,
            LakeLayout scratch,
            Backbone backbone,
            CosmicConfig.Training t,
            String policy,
            List<LabelledImage> images,
            int views) {
        FeatureStore store = FeatureStore.of(spark, scratch, backbone, t, policy);
        delete(Path.of(scratch.location(store.table())));
        store.features(images, views);
        return store.computed();
    }

    /** Removes a table of the scratch lake (and Delta's cached log of it, or the next run would see it). */
    private static void delete(Path table) {
        DeltaLog.clearCache();
        if (!Files.exists(table)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(table)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

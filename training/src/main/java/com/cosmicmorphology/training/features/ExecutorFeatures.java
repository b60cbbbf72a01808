package com.cosmicmorphology.training.features;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.data.Batches;
import com.cosmicmorphology.training.data.Views;
import io.delta.tables.DeltaTable;
import java.io.Serializable;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backbone passes on the Spark executors: the images a feature table lacks are read from {@code features_inputs}
 * by the executors, each executor JVM builds the backbone once (from the Keras file shipped with the job, or the
 * zoo weights its machine holds; on whatever ND4J backend that executor has, CPU or CUDA) and scores whole
 * batches; the rows are merged into the feature table by (content hash, view) as the driver's path does. The
 * driver only plans the work and reads back the small feature vectors: on a cluster it is one modest machine.
 */
public final class ExecutorFeatures implements Serializable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorFeatures.class);
    /** Job property that tags these stages (tests and the Spark UI tell them apart by it). */
    public static final String STAGE_PROPERTY = "cosmic.stage";

    public static final String STAGE = "backbone-features";
    private static final int BATCH = 16;
    /** One backbone per executor JVM and recipe: building one imports the network, which costs seconds. */
    private static final Map<String, Backbone> BUILT = new ConcurrentHashMap<>();

    private final CosmicConfig.Training training;
    private final String shippedKerasFile;

    /**
     * @param training the backbone settings; for keras-h5 its file is shipped to the executors with the job
     *     ({@code SparkContext.addFile}), so it need not exist at the same path on every worker
     */
    public ExecutorFeatures(SparkSession spark, CosmicConfig.Training training) {
        this.training = training;
        if (training.backbone() == com.cosmicmorphology.common.config.BackboneKind.KERAS_H5) {
            Path file = Path.of(training.kerasModel()).toAbsolutePath().normalize();
            spark.sparkContext().addFile(file.toString());
            this.shippedKerasFile = file.getFileName().toString();
        } else {
            this.shippedKerasFile = null;
        }
    }

    /**
     * Computes views 0..views-1 of every given content hash on the executors and merges them into {@code table}.
     *
     * @return the rows the executors computed (content_sha256, view, features, ...): what the caller reads back,
     *     so the table is not scanned again for them
     */
    List<Row> compute(
            SparkSession spark,
            LakeLayout lake,
            String table,
            List<String> shas,
            int views,
            String policy,
            String backboneId,
            com.cosmicmorphology.common.image.DecodeLimits limits) {
        Dataset<Row> pixels = ExecutorPixels.of(spark, lake, shas, training.inputSize(), policy);
        // twice as many tasks as cores, so every executor gets work even where the scheduler places unevenly
        int tasks = Math.max(1, Math.min(shas.size(), 2 * spark.sparkContext().defaultParallelism()));
        int size = training.inputSize();
        Timestamp now = Timestamp.from(Instant.now());
        JavaRDD<Row> rows = pixels.javaRDD()
                .repartition(tasks)
                .mapPartitions(it -> score(it, views, size, policy, backboneId, now, limits));
        String before = spark.sparkContext().getLocalProperty(STAGE_PROPERTY);
        spark.sparkContext().setLocalProperty(STAGE_PROPERTY, STAGE);
        Dataset<Row> computed =
                spark.createDataFrame(rows, FeatureStore.SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            // the one pass over the backbone; the merge then reads the persisted rows
            List<Row> out = computed.collectAsList();
            DeltaTable.forPath(spark, lake.location(table))
                    .as("t")
                    .merge(computed.as("s"), "t.content_sha256 = s.content_sha256 AND t.view = s.view")
                    .whenNotMatched()
                    .insertAll()
                    .execute();
            LOG.info("{} feature vectors computed on the executors ({} tasks) into {}", out.size(), tasks, table);
            return out;
        } finally {
            computed.unpersist();
            spark.sparkContext().setLocalProperty(STAGE_PROPERTY, before);
        }
    }

    /** Executor side: one partition's images, scored in batches of every view. */
    private Iterator<Row> score(
            Iterator<Row> it,
            int views,
            int size,
            String policy,
            String backboneId,
            Timestamp now,
            com.cosmicmorphology.common.image.DecodeLimits limits) {
        Backbone backbone = backbone();
        List<Row> out = new ArrayList<>();
        List<String> shas = new ArrayList<>();
        List<byte[]> batch = new ArrayList<>();
        List<Integer> batchViews = new ArrayList<>();
        while (it.hasNext()) {
            Row r = it.next();
            byte[] px = ExecutorPixels.pixels(r, size, policy, limits);
            if (px == null) {
                continue; // left without features: the caller names it
            }
            for (int v = 0; v < views; v++) {
                shas.add(r.getString(0));
                batchViews.add(v);
                batch.add(Views.view(px, size, v));
                if (batch.size() == BATCH) {
                    flush(backbone, shas, batchViews, batch, size, backboneId, now, out);
                }
            }
        }
        flush(backbone, shas, batchViews, batch, size, backboneId, now, out);
        return out.iterator();
    }

    private static void flush(
            Backbone backbone,
            List<String> shas,
            List<Integer> views,
            List<byte[]> batch,
            int size,
            String backboneId,
            Timestamp now,
            List<Row> out) {
        if (batch.isEmpty()) {
            return;
        }
        INDArray f;
        synchronized (backbone) { // one network per JVM; its tasks take turns (ND4J already uses every core)
            f = backbone.features(Batches.nhwc(batch, size));
        }
        for (int i = 0; i < batch.size(); i++) {
            float[] v = f.getRow(i).toFloatVector();
            Float[] boxed = new Float[v.length];
            for (int j = 0; j < v.length; j++) {
                boxed[j] = v[j];
            }
            out.add(RowFactory.create(shas.get(i), views.get(i), boxed, backboneId, now));
        }
        shas.clear();
        views.clear();
        batch.clear();
    }

    /** This JVM's backbone for the recipe, built on first use from the shipped file. */
    private Backbone backbone() {
        CosmicConfig.Training local =
                shippedKerasFile == null ? training : training.withKerasModel(SparkFiles.get(shippedKerasFile));
        String key = local.backbone().key() + "|" + local.kerasModel() + "|" + local.inputSize() + "|"
                + local.featureLayers() + "|" + local.resnetVariant();
        return BUILT.computeIfAbsent(key, k -> Backbones.create(local));
    }
}

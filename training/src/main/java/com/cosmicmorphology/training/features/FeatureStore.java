package com.cosmicmorphology.training.features;

import static org.apache.spark.sql.functions.col;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.data.Batches;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.Views;
import com.cosmicmorphology.training.distributed.SparkHeadTrainer;
import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frozen-backbone features, computed once per (content hash, view) for a backbone and input size, in
 * {@code features_<backbone id>}. A second run over the same images computes nothing ({@link #computed()}).
 */
public final class FeatureStore {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureStore.class);
    static final StructType SCHEMA = new StructType()
            .add("content_sha256", DataTypes.StringType, false)
            .add("view", DataTypes.IntegerType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("backbone", DataTypes.StringType, false)
            .add("computed_at", DataTypes.TimestampType, false);
    private static final int BATCH = 16;

    /** Backbone passes this JVM ran as a driver-side feature store (images); the cluster test counts them. */
    private static final java.util.concurrent.atomic.AtomicLong DRIVER_PASSES =
            new java.util.concurrent.atomic.AtomicLong();

    private final SparkSession spark;
    private final LakeLayout lake;
    private final Backbone backbone;
    private long computed;
    private ExecutorFeatures executors;
    private String policy;
    private boolean partial;
    private com.cosmicmorphology.common.image.DecodeLimits decodeLimits =
            com.cosmicmorphology.common.image.DecodeLimits.DEFAULT;

    public FeatureStore(SparkSession spark, LakeLayout lake, Backbone backbone) {
        this.spark = spark;
        this.lake = lake;
        this.backbone = backbone;
    }

    public String table() {
        return "features_" + backbone.id();
    }

    /**
     * The store a job uses: its cache misses are computed on the executors when the session runs on a cluster
     * (the same rule as the head's distributed training: {@code training.distributed.engine} spark, or auto with
     * a non-local master), in this JVM otherwise.
     *
     * @param trainedAs the backbone settings (a saved model's, when scoring it)
     * @param policy the resize policy of the {@code features_inputs} rows to read
     */
    public static FeatureStore of(
            SparkSession spark, LakeLayout lake, Backbone backbone, CosmicConfig.Training trainedAs, String policy) {
        FeatureStore store = new FeatureStore(spark, lake, backbone);
        if (runsOnExecutors(spark, trainedAs)) {
            store.onExecutors(new ExecutorFeatures(spark, trainedAs), policy);
        }
        return store;
    }

    /**
     * Whether {@link #of} computes cache misses on the executors for this session and settings; where it does,
     * a job needs no pixels in the driver (frozen features are all it reads back).
     */
    public static boolean runsOnExecutors(SparkSession spark, CosmicConfig.Training t) {
        return SparkHeadTrainer.applies(t.distributed(), spark.sparkContext().master());
    }

    /**
     * Images whose features cannot be computed on the executors (bytes that do not decode) are left out of the
     * result instead of failing the call: predict reports them and scores the rest.
     */
    public FeatureStore partial() {
        this.partial = true;
        return this;
    }

    /** The {@code decode.*} limits image bytes are decoded under on the executors (the run's, not the defaults). */
    public FeatureStore decodeLimits(com.cosmicmorphology.common.image.DecodeLimits limits) {
        this.decodeLimits = limits;
        return this;
    }

    /** Feature vectors computed by this store so far (cache misses), wherever they ran. */
    public long computed() {
        return computed;
    }

    /** Images this JVM passed through a backbone in the driver-side path, over every store. */
    public static long driverPasses() {
        return DRIVER_PASSES.get();
    }

    /**
     * Cache misses are computed on the Spark executors from {@code features_inputs} (at {@code policy} and the
     * backbone's size) instead of in this JVM. Used when the session runs on a cluster
     * ({@link com.cosmicmorphology.training.distributed.SparkHeadTrainer#applies}); in local mode the driver is
     * the only executor, and the in-memory path needs no second read of the pixels.
     */
    public FeatureStore onExecutors(ExecutorFeatures executors, String policy) {
        this.executors = executors;
        this.policy = policy;
        return this;
    }

    /** sha -> [view][feature] for views 0..views-1 of every image; computes and stores what is missing. */
    public Map<String, float[][]> features(List<LabelledImage> images, int views) {
        String path = lake.location(table());
        lake.create(spark, table(), SCHEMA);
        Map<String, LabelledImage> bySha = new LinkedHashMap<>();
        images.forEach(i -> bySha.putIfAbsent(i.contentSha256(), i));
        Map<String, float[][]> out = new HashMap<>();
        readStored(path, bySha.keySet(), views, out);
        List<String[]> todo = new ArrayList<>(); // {sha, view}
        for (String sha : bySha.keySet()) {
            float[][] have = out.get(sha);
            for (int v = 0; v < views; v++) {
                if (have == null || have[v] == null) {
                    todo.add(new String[] {sha, Integer.toString(v)});
                }
            }
        }
        if (todo.isEmpty()) {
            return out;
        }
        LOG.info(
                "computing {} feature vectors with {} ({} cached){}",
                todo.size(),
                backbone.id(),
                bySha.size() * views - todo.size(),
                executors != null ? " on the executors" : "");
        if (executors != null) {
            computeOnExecutors(todo, bySha, views, out);
        } else {
            computeHere(todo, bySha, views, out, path);
        }
        return out;
    }

    /** The missing vectors computed by the executors (they store them); only vectors come back. */
    private void computeOnExecutors(
            List<String[]> todo, Map<String, LabelledImage> bySha, int views, Map<String, float[][]> out) {
        List<String> missing = todo.stream().map(t -> t[0]).distinct().toList();
        List<Row> rows = executors.compute(spark, lake, table(), missing, views, policy, backbone.id(), decodeLimits);
        computed += rows.size();
        rows.forEach(r -> put(r, views, out));
        if (partial) {
            out.values().removeIf(v -> java.util.Arrays.stream(v).anyMatch(java.util.Objects::isNull));
            return;
        }
        List<String> without = bySha.values().stream()
                .filter(i -> out.get(i.contentSha256()) == null
                        || java.util.Arrays.stream(out.get(i.contentSha256())).anyMatch(java.util.Objects::isNull))
                .map(LabelledImage::imageId)
                .limit(5)
                .toList();
        if (!without.isEmpty()) {
            throw new com.cosmicmorphology.common.cli.CosmicException(
                    com.cosmicmorphology.common.cli.ExitCode.MISSING_INPUT,
                    "no features could be computed for " + without + " (no features_inputs row at "
                            + backbone.inputSize()
                            + " px / " + policy + " and the image bytes do not decode); run './cosmic prepare --size "
                            + backbone.inputSize() + "' and see the quarantine table");
        }
    }

    /** The missing vectors computed here in batches, then stored in one MERGE. */
    private void computeHere(
            List<String[]> todo, Map<String, LabelledImage> bySha, int views, Map<String, float[][]> out, String path) {
        Timestamp now = Timestamp.from(Instant.now());
        List<Row> rows = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int start = 0; start < todo.size(); start += BATCH) {
            List<String[]> batch = todo.subList(start, Math.min(todo.size(), start + BATCH));
            List<byte[]> px = new ArrayList<>();
            for (String[] t : batch) {
                px.add(Views.view(bySha.get(t[0]).pixels(), backbone.inputSize(), Integer.parseInt(t[1])));
            }
            INDArray f = backbone.features(Batches.nhwc(px, backbone.inputSize()));
            DRIVER_PASSES.addAndGet(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                float[] v = f.getRow(i).toFloatVector();
                int view = Integer.parseInt(batch.get(i)[1]);
                out.computeIfAbsent(batch.get(i)[0], k -> new float[views][])[view] = v;
                Float[] boxed = new Float[v.length];
                for (int j = 0; j < v.length; j++) {
                    boxed[j] = v[j];
                }
                rows.add(RowFactory.create(batch.get(i)[0], view, boxed, backbone.id(), now));
            }
            computed += batch.size();
            // ND4J's off-heap buffers are freed when their Java objects are collected: collect between batches,
            // or memory climbs by gigabytes and later batches slow down (measured, see stack notes)
            System.gc();
            if ((start / BATCH) % 10 == 9) {
                LOG.info(
                        "features: {}/{} ({} img/s)",
                        computed,
                        todo.size(),
                        String.format("%.1f", computed / ((System.nanoTime() - t0) / 1e9)));
            }
        }
        DeltaTable.forPath(spark, path)
                .as("t")
                .merge(
                        spark.createDataFrame(rows, SCHEMA).as("s"),
                        "t.content_sha256 = s.content_sha256 AND t.view = s.view")
                .whenNotMatched()
                .insertAll()
                .execute();
    }

    /** The stored vectors of views 0..views-1 of these content hashes, into {@code out} (sha -> [view][feature]). */
    private void readStored(String path, java.util.Collection<String> shas, int views, Map<String, float[][]> out) {
        for (Row r : spark.read()
                .format("delta")
                .load(path)
                .where(col("view").lt(views))
                .where(col("content_sha256").isin(shas.toArray()))
                .collectAsList()) {
            put(r, views, out);
        }
    }

    /** One feature row (content_sha256, view, features, ...) into {@code out}. */
    private static void put(Row r, int views, Map<String, float[][]> out) {
        List<Float> f = r.getList(2);
        float[] v = new float[f.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = f.get(i);
        }
        out.computeIfAbsent(r.getString(0), k -> new float[views][])[r.getInt(1)] = v;
    }
}

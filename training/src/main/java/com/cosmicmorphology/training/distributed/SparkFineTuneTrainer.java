package com.cosmicmorphology.training.distributed;

import static org.apache.spark.sql.functions.col;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.data.Batches;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.data.Views;
import com.cosmicmorphology.training.eval.Metrics;
import com.cosmicmorphology.training.features.ExecutorFeatures;
import com.cosmicmorphology.training.head.EarlyStopping;
import com.cosmicmorphology.training.head.FineTuneEpoch;
import com.cosmicmorphology.training.head.FineTuneTrainer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Fine-tuning on the Spark executors with dl4j-spark: the network of {@link FineTuneTrainer#network} (backbone
 * frozen below {@code training.unfreeze-from}, new head), trained data-parallel by a {@link SparkComputationGraph}
 * with the training master of {@link TrainingMasters} (parameter averaging by default). The training images'
 * pixels are read from {@code features_inputs} by the executors and kept there (persisted); each epoch's
 * examples are made on the executors from them, one dihedral view per image chosen from (seed, epoch, content
 * hash), so an epoch's augmentation is the same on any machine and in any partitioning. Validation is scored on
 * the executors as well (the current parameters broadcast, views averaged, only the probability rows come
 * back), with early stopping on macro-F1 as in the local mode. The driver builds the network from its
 * configuration and averages parameters; it runs no forward or backward pass.
 */
public final class SparkFineTuneTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkFineTuneTrainer.class);
    /** The {@link ExecutorFeatures#STAGE_PROPERTY} value of this trainer's Spark jobs (fits and validation). */
    public static final String STAGE = "fine-tune";

    /** The trained network and how it got there. */
    public record Trained(
            ComputationGraph net,
            int bestEpoch,
            int epochsRun,
            Metrics.Report validation,
            int workers,
            List<FineTuneEpoch> epochs) {}

    /** An image on an executor: its position in the caller's list, class index and model-input pixels. */
    record Example(String sha, int index, int label, byte[] pixels) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig.Training conf;
    private final String policy;

    public SparkFineTuneTrainer(SparkSession spark, LakeLayout lake, CosmicConfig.Training conf, String policy) {
        this.spark = spark;
        this.lake = lake;
        this.conf = conf;
        this.policy = policy;
    }

    /**
     * @param train, val the images (ids, labels, content hashes; pixels are not needed and not read here)
     */
    public Trained train(
            Backbone backbone,
            List<LabelledImage> train,
            int[] trainY,
            List<LabelledImage> val,
            int[] valY,
            List<String> classes,
            float[] classWeights) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int workers = conf.distributed().workers() > 0 ? conf.distributed().workers() : jsc.defaultParallelism();
        int size = backbone.inputSize();
        boolean nchw = backbone.inputLayout() == CNN2DFormat.NCHW;
        int k = classes.size();
        long seed = conf.seed();
        int views = conf.featureViews();

        ComputationGraph net = FineTuneTrainer.network(backbone, conf, k, classWeights);
        // each worker fits batch/workers images per step, so one step of all workers covers one local step
        int perWorker = Math.max(1, conf.batchSize() / workers);
        TrainingMaster<?, ?> master = TrainingMasters.create(conf.distributed(), workers, perWorker, seed);
        SparkComputationGraph sparkNet = new SparkComputationGraph(jsc, net, master);

        String before = spark.sparkContext().getLocalProperty(ExecutorFeatures.STAGE_PROPERTY);
        spark.sparkContext().setLocalProperty(ExecutorFeatures.STAGE_PROPERTY, STAGE);
        JavaRDD<Example> trainRdd = null;
        JavaRDD<Example> valRdd = null;
        EarlyStopping stop = new EarlyStopping(conf.patience());
        List<FineTuneEpoch> log = new ArrayList<>();
        int epoch;
        try {
            trainRdd = examples(train, trainY, workers, size);
            valRdd = examples(val, valY, workers, size);
            for (epoch = 1; epoch <= conf.epochs(); epoch++) {
                long t0 = System.nanoTime();
                int e = epoch;
                JavaRDD<DataSet> epochData = trainRdd.map(x -> {
                    byte[] v = Views.view(x.pixels(), size, view(seed, e, x.sha()));
                    float[][] y = new float[1][k];
                    y[0][x.label()] = 1f;
                    return new DataSet(layout(Batches.nhwc(List.of(v), size), nchw), Nd4j.create(y));
                });
                sparkNet.fit(epochData);
                epochData.unpersist(false);
                double fit = (System.nanoTime() - t0) / 1e9;
                long t1 = System.nanoTime();
                Metrics.Report r = Metrics.of(
                        probabilities(jsc, sparkNet.getNetwork(), valRdd, val.size(), size, nchw, views),
                        valY,
                        classes);
                double validation = (System.nanoTime() - t1) / 1e9;
                FineTuneEpoch el = new FineTuneEpoch(epoch, train.size(), fit, validation, r.accuracy(), r.macroF1());
                log.add(el);
                LOG.info(
                        "fine-tune epoch {} (spark, {} workers): {} images in {} s ({} img/s), validation {} s, macro-F1 {}",
                        epoch,
                        workers,
                        train.size(),
                        String.format("%.1f", fit),
                        String.format("%.2f", el.imagesPerSecond()),
                        String.format("%.1f", validation),
                        String.format("%.3f", r.macroF1()));
                if (stop.update(epoch, r, sparkNet.getNetwork().params())) {
                    break;
                }
            }
        } finally {
            if (trainRdd != null) {
                trainRdd.unpersist(false);
            }
            if (valRdd != null) {
                valRdd.unpersist(false);
            }
            master.deleteTempFiles(jsc);
            spark.sparkContext().setLocalProperty(ExecutorFeatures.STAGE_PROPERTY, before);
        }
        ComputationGraph best = sparkNet.getNetwork();
        best.setParams(stop.bestParams());
        int run = Math.min(epoch, conf.epochs());
        LOG.info(
                "fine-tune (spark, {}, {} workers): best epoch {} of {} (validation accuracy {}, macro-F1 {})",
                conf.distributed().trainingMaster(),
                workers,
                stop.bestEpoch(),
                run,
                String.format("%.3f", stop.best().accuracy()),
                String.format("%.3f", stop.best().macroF1()));
        return new Trained(best, stop.bestEpoch(), run, stop.best(), workers, log);
    }

    /**
     * The images' model inputs, read from {@code features_inputs} by the executors and persisted there in
     * {@code partitions} partitions; the driver sends only (index, hash, label) rows.
     */
    private JavaRDD<Example> examples(List<LabelledImage> images, int[] y, int partitions, int size) {
        List<Row> wanted = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            wanted.add(RowFactory.create(i, images.get(i).contentSha256(), y[i]));
        }
        Dataset<Row> index = org.apache.spark.sql.functions.broadcast(spark.createDataFrame(
                wanted,
                new StructType()
                        .add("idx", DataTypes.IntegerType, false)
                        .add("content_sha256", DataTypes.StringType, false)
                        .add("y", DataTypes.IntegerType, false)));
        Dataset<Row> inputs = lake.read(spark, LakeTable.MODEL_INPUTS)
                .where(col("size")
                        .equalTo(size)
                        .and(col("policy").equalTo(policy))
                        .and(col("error").isNull()))
                .select("content_sha256", "pixels")
                .dropDuplicates("content_sha256");
        JavaRDD<Example> rdd = index.join(inputs, "content_sha256")
                .select("content_sha256", "idx", "y", "pixels")
                .javaRDD()
                .map(r -> new Example(r.getString(0), r.getInt(1), r.getInt(2), (byte[]) r.get(3)))
                .repartition(Math.max(1, Math.min(partitions, images.size())))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        long n = rdd.count();
        if (n != images.size()) {
            rdd.unpersist(false);
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    (images.size() - n) + " of " + images.size()
                            + " images have no model input at " + size + " px (" + policy
                            + "); run './cosmic prepare --size " + size
                            + " --policy " + policy + "' first");
        }
        return rdd;
    }

    /**
     * Class probabilities of every image (views 0..views-1 averaged), scored on the executors with the network's
     * current parameters; row i is image i of the caller's list.
     */
    private static double[][] probabilities(
            JavaSparkContext jsc,
            ComputationGraph net,
            JavaRDD<Example> images,
            int n,
            int size,
            boolean nchw,
            int views) {
        String json = net.getConfiguration().toJson();
        Broadcast<INDArray> params = jsc.broadcast(net.params().dup());
        try {
            List<Tuple2<Integer, double[]>> rows = images.mapPartitions((Iterator<Example> it) -> {
                        List<Tuple2<Integer, double[]>> out = new ArrayList<>();
                        if (!it.hasNext()) {
                            return out.iterator();
                        }
                        ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
                        g.init(params.value(), false);
                        List<Example> part = new ArrayList<>();
                        it.forEachRemaining(part::add);
                        double[][] p = FineTuneTrainer.probabilities(
                                g,
                                a -> layout(a, nchw),
                                size,
                                part.stream().map(Example::pixels).toList(),
                                views);
                        for (int i = 0; i < part.size(); i++) {
                            out.add(new Tuple2<>(part.get(i).index(), p[i]));
                        }
                        return out.iterator();
                    })
                    .collect();
            double[][] out = new double[n][];
            rows.forEach(t -> out[t._1()] = t._2());
            return out;
        } finally {
            params.destroy();
        }
    }

    private static INDArray layout(INDArray nhwc, boolean nchw) {
        return nchw ? nhwc.permute(0, 3, 1, 2).dup() : nhwc;
    }

    /**
     * The dihedral view (0..7) an image is shown in at an epoch: a hash of the seed, the epoch and the image's
     * content hash (SplitMix64 finaliser), the same on every executor.
     */
    public static int view(long seed, int epoch, String sha) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + sha.hashCode();
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (int) Math.floorMod(z, 8L);
    }
}

package com.cosmicmorphology.training.eval;

import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.training.features.ExecutorFeatures;
import com.cosmicmorphology.training.features.ExecutorPixels;
import com.cosmicmorphology.training.head.FineTuneTrainer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import scala.Tuple2;

/**
 * A fine-tuned model scored on the executors: its whole network scores pixels, so the network (configuration
 * and parameters, broadcast once) is rebuilt in each executor JVM (once per model), the images' model inputs
 * are read there ({@link ExecutorPixels}), and only (content hash, class probabilities) rows come back. The
 * driver runs no pass; it sees no image bytes.
 */
public final class FineTunedOnExecutors {
    /** The stage tag of these jobs ({@link ExecutorFeatures#STAGE_PROPERTY}). */
    public static final String STAGE = "fine-tuned-scoring";

    private static final int BATCH = 16;
    private static final Map<String, ComputationGraph> BUILT = new ConcurrentHashMap<>();

    private FineTunedOnExecutors() {}

    /**
     * Class probabilities (views 0..views-1 averaged) by content hash; hashes whose bytes do not decode are
     * absent from the result.
     */
    static Map<String, double[]> score(
            SparkSession spark,
            LakeLayout lake,
            String modelId,
            ComputationGraph net,
            boolean nchw,
            int size,
            String policy,
            int views,
            List<String> shas,
            com.cosmicmorphology.common.image.DecodeLimits limits) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String json = net.getConfiguration().toJson();
        Broadcast<INDArray> params = jsc.broadcast(net.params().dup());
        int tasks = Math.max(1, Math.min(shas.size(), 2 * jsc.defaultParallelism()));
        String before = spark.sparkContext().getLocalProperty(ExecutorFeatures.STAGE_PROPERTY);
        spark.sparkContext().setLocalProperty(ExecutorFeatures.STAGE_PROPERTY, STAGE);
        try {
            List<Tuple2<String, double[]>> rows = ExecutorPixels.of(spark, lake, shas, size, policy)
                    .javaRDD()
                    .repartition(tasks)
                    .mapPartitions((Iterator<Row> it) -> {
                        List<Tuple2<String, double[]>> out = new ArrayList<>();
                        if (!it.hasNext()) {
                            return out.iterator();
                        }
                        ComputationGraph g = BUILT.computeIfAbsent(modelId, k -> {
                            ComputationGraph c = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
                            c.init(params.value(), true);
                            return c;
                        });
                        List<String> ids = new ArrayList<>();
                        List<byte[]> batch = new ArrayList<>();
                        while (it.hasNext()) {
                            Row r = it.next();
                            byte[] px = ExecutorPixels.pixels(r, size, policy, limits);
                            if (px != null) {
                                ids.add(r.getString(0));
                                batch.add(px);
                            }
                            if (batch.size() == BATCH || (!it.hasNext() && !batch.isEmpty())) {
                                double[][] p;
                                synchronized (
                                        g) { // one network per JVM; its tasks take turns (ND4J already uses every core)
                                    p = FineTuneTrainer.probabilities(
                                            g, a -> nchw ? a.permute(0, 3, 1, 2).dup() : a, size, batch, views);
                                }
                                for (int i = 0; i < ids.size(); i++) {
                                    out.add(new Tuple2<>(ids.get(i), p[i]));
                                }
                                ids.clear();
                                batch.clear();
                            }
                        }
                        return out.iterator();
                    })
                    .collect();
            Map<String, double[]> out = new HashMap<>();
            rows.forEach(t -> out.put(t._1(), t._2()));
            return out;
        } finally {
            params.destroy();
            spark.sparkContext().setLocalProperty(ExecutorFeatures.STAGE_PROPERTY, before);
        }
    }
}

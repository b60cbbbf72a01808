package com.cosmicmorphology.training.predict;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.config.ResizePolicy;
import com.cosmicmorphology.common.image.InputResizer;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.eval.Scorer;
import com.cosmicmorphology.training.model.ModelStore;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * {@code ./cosmic predict}: scores the lake's {@code images} or a folder (recursively; image_id = path
 * relative to it) with a saved model into {@code predictions} (MERGE by image and model) and, if asked, a
 * CSV of image_id, predicted_label, confidence, error. An image that cannot be scored gets a row with the
 * reason in the CSV and in {@link Result#failed}; the run goes on.
 */
public final class PredictJob {
    public static final StructType SCHEMA = LakeTable.PREDICTIONS.schema();

    /** Counts, and the images that could not be scored with why. */
    public record Result(String modelId, int scored, Map<String, String> failed) {}

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig config;

    public PredictJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.config = ctx.config();
    }

    public Result fromLake(Path modelDir, Path csv) {
        Scorer scorer = new Scorer(ModelStore.load(modelDir), config);
        try (PredictionSink sink = sink(scorer, csv)) {
            if (!scorer.needsPixels(spark)) {
                // on a cluster only the ids and hashes come to the driver; the executors decode and score
                List<LabelledImage> byHash = lake
                        .read(spark, LakeTable.IMAGES)
                        .select("image_id", "content_sha256")
                        .orderBy("image_id")
                        .collectAsList()
                        .stream()
                        .map(r -> new LabelledImage(r.getString(0), null, null, null, r.getString(1), null))
                        .toList();
                Scorer.Scored remote = scorer.scoreOnExecutors(spark, lake, byHash);
                for (int i = 0; i < remote.imageIds().size(); i++) {
                    sink.scored(remote.imageIds().get(i), remote.probabilities()[i]);
                }
                remote.failed().forEach(sink::failed);
                return sink.finish();
            }
            // streamed: the bytes arrive a partition at a time and are decoded and scored a chunk at a time, so the
            // driver never holds the lake's images (collecting them all was a heap of the lake's size)
            int chunk = Math.max(64, 4 * config.training().batchSize());
            List<LabelledImage> images = new ArrayList<>();
            Map<String, String> failed = new LinkedHashMap<>();
            java.util.Iterator<Row> rows = lake.read(spark, LakeTable.IMAGES)
                    .select("image_id", "content_sha256", "content")
                    .orderBy("image_id")
                    .toLocalIterator();
            while (rows.hasNext()) {
                Row r = rows.next();
                byte[] px = pixels((byte[]) r.get(2), scorer, r.getString(0), failed);
                if (px != null) {
                    images.add(new LabelledImage(r.getString(0), null, null, null, r.getString(1), px));
                }
                if (images.size() >= chunk || !rows.hasNext()) {
                    double[][] probs = scorer.score(spark, lake, images);
                    for (int i = 0; i < images.size(); i++) {
                        sink.scored(images.get(i).imageId(), probs[i]);
                    }
                    images.clear();
                    failed.forEach(sink::failed);
                    failed.clear();
                }
            }
            return sink.finish();
        }
    }

    /**
     * Scores a folder under the folder-ingest rules ({@link ImageFolder}), streaming: files are read, decoded
     * and scored {@code training.batch-size} at a time, so memory holds one batch of images whatever the folder's
     * size. A file that cannot be scored (link out of the folder, too large, unreadable, not an image, a decoder
     * failure) gets an error row and the run goes on.
     */
    public Result fromFolder(Path modelDir, Path dir, Path csv) {
        return fromFolder(modelDir, ImageFolder.open(dir, config.ingest().maxImageBytes()), csv);
    }

    Result fromFolder(Path modelDir, ImageFolder folder, Path csv) {
        return fromFolder(modelDir, folder, csv, batch -> {});
    }

    /** @param beforeScoring sees every batch as it goes to the network (tests: its size, or a failure) */
    Result fromFolder(Path modelDir, ImageFolder folder, Path csv, Consumer<List<byte[]>> beforeScoring) {
        Scorer scorer = new Scorer(ModelStore.load(modelDir), config);
        Function<List<byte[]>, double[][]> network = batch -> {
            beforeScoring.accept(batch);
            return scorer.scoreUncached(batch);
        };
        List<ImageFolder.Entry> entries = folder.entries();
        int batchSize = Math.max(1, config.training().batchSize());
        try (PredictionSink sink = sink(scorer, csv)) {
            List<String> ids = new ArrayList<>();
            List<byte[]> pixels = new ArrayList<>(); // null where the file failed: rows keep the folder's order
            List<String> errors = new ArrayList<>();
            int decoded = 0;
            for (ImageFolder.Entry e : entries) {
                String error = e.error();
                byte[] px = null;
                if (error == null) {
                    Map<String, String> why = new LinkedHashMap<>();
                    try {
                        px = pixels(folder.read(e), scorer, e.id(), why);
                        error = why.get(e.id());
                    } catch (ImageFolder.TooLarge t) {
                        error = "too large: " + t.getMessage();
                    } catch (IOException | RuntimeException x) {
                        error = "unreadable: " + x.getClass().getSimpleName() + ": " + x.getMessage();
                    }
                }
                ids.add(e.id());
                pixels.add(px);
                errors.add(error);
                if (px != null && ++decoded == batchSize) {
                    emit(network, sink, ids, pixels, errors);
                    decoded = 0;
                }
            }
            emit(network, sink, ids, pixels, errors);
            return sink.finish();
        }
    }

    private PredictionSink sink(Scorer scorer, Path csv) {
        return new PredictionSink(
                spark,
                lake,
                scorer.model().modelId(),
                scorer.model().classes(),
                config.ingest().batchSize(),
                csv);
    }

    /** Scores one batch and hands its rows to the sink in order; empties the lists. */
    private static void emit(
            Function<List<byte[]>, double[][]> network,
            PredictionSink sink,
            List<String> ids,
            List<byte[]> pixels,
            List<String> errors) {
        List<byte[]> batch = pixels.stream().filter(java.util.Objects::nonNull).toList();
        double[][] probs = score(network, batch, ids, pixels, errors);
        int k = 0;
        for (int i = 0; i < ids.size(); i++) {
            if (pixels.get(i) != null && probs[k] != null) {
                sink.scored(ids.get(i), probs[k]);
            } else {
                sink.failed(ids.get(i), errors.get(i) != null ? errors.get(i) : "scoring failed");
            }
            k += pixels.get(i) != null ? 1 : 0;
        }
        ids.clear();
        pixels.clear();
        errors.clear();
    }

    /**
     * The batch's probabilities; if the batch as a whole fails, each image alone, so one bad input costs its
     * own row only (a null row, with the reason put in {@code errors}).
     */
    private static double[][] score(
            Function<List<byte[]>, double[][]> network,
            List<byte[]> batch,
            List<String> ids,
            List<byte[]> pixels,
            List<String> errors) {
        if (batch.isEmpty()) {
            return new double[0][];
        }
        try {
            return network.apply(batch);
        } catch (RuntimeException whole) {
            double[][] out = new double[batch.size()][];
            int k = 0;
            for (int i = 0; i < ids.size(); i++) {
                if (pixels.get(i) == null) {
                    continue;
                }
                try {
                    out[k] = network.apply(List.of(pixels.get(i)))[0];
                } catch (RuntimeException e) {
                    errors.set(i, "scoring failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                k++;
            }
            return out;
        }
    }

    private static byte[] pixels(byte[] encoded, Scorer scorer, String id, Map<String, String> failed) {
        try {
            BufferedImage img = encoded == null
                    ? null
                    : com.cosmicmorphology.common.image.Images.decode(encoded, scorer.decodeLimits());
            if (img == null) {
                failed.put(id, "not a decodable image");
                return null;
            }
            return InputResizer.toHwcRgb(img, scorer.inputSize(), ResizePolicy.parse(scorer.resizePolicy()));
        } catch (IOException | RuntimeException e) {
            failed.put(id, "not a decodable image: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return null;
        }
    }
}

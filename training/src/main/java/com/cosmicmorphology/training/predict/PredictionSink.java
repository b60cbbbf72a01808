package com.cosmicmorphology.training.predict;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import io.delta.tables.DeltaTable;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where predictions go as they are made: {@code predictions} (MERGE by image and model, every
 * {@code flushRows} rows, so a long run killed halfway keeps what it scored and a re-run is safe) and the CSV,
 * one row per image in the order given: a prediction, or an empty label and confidence and the reason it could
 * not be scored. The CSV is written beside its final name and moved there when the run completes, so an
 * interrupted run leaves the previous CSV, not half a file.
 */
final class PredictionSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionSink.class);
    static final List<String> HEADER = List.of("image_id", "predicted_label", "confidence", "error");

    private final SparkSession spark;
    private final String table;
    private final String modelId;
    private final List<String> classes;
    private final int flushRows;
    private final Path csv;
    private final Path partial;
    private final BufferedWriter out;
    private final Timestamp now = Timestamp.from(Instant.now());
    private final List<Row> pending = new ArrayList<>();
    private final Map<String, String> failed = new LinkedHashMap<>();
    private int scored;
    private boolean finished;

    PredictionSink(SparkSession spark, LakeLayout lake, String modelId, List<String> classes, int flushRows, Path csv) {
        this.spark = spark;
        this.modelId = modelId;
        this.classes = classes;
        this.flushRows = Math.max(1, flushRows);
        this.csv = csv;
        // the lake is checked before any image is decoded: a read-only lake fails in a second, not after the scoring
        this.table = lake.location(LakeTable.PREDICTIONS);
        lake.checkWritable(spark);
        lake.create(spark, LakeTable.PREDICTIONS);
        if (csv == null) {
            partial = null;
            out = null;
            return;
        }
        try {
            Path parent = csv.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            partial = Files.createTempFile(parent, "." + csv.getFileName() + ".", ".partial");
            out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8);
            out.write(CsvCells.row(HEADER));
        } catch (IOException e) {
            throw new CosmicException(ExitCode.STORAGE, "cannot write " + csv + ": " + e.getMessage(), e);
        }
    }

    void scored(String id, double[] probs) {
        int best = 0;
        Map<String, Double> m = new LinkedHashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            m.put(classes.get(c), probs[c]);
            if (probs[c] > probs[best]) {
                best = c;
            }
        }
        pending.add(RowFactory.create(
                id, modelId, classes.get(best), probs[best], scala.collection.JavaConverters.mapAsScalaMap(m), now));
        scored++;
        csv(id, classes.get(best), String.format(Locale.ROOT, "%.6f", probs[best]), "");
        if (pending.size() >= flushRows) {
            flush();
        }
    }

    void failed(String id, String why) {
        failed.put(id, why);
        LOG.warn("not scored: {}: {}", PrintableText.of(id), PrintableText.of(why));
        csv(id, "", "", why);
    }

    private void csv(String id, String label, String confidence, String error) {
        if (out == null) {
            return;
        }
        try {
            out.write(CsvCells.row(Arrays.asList(id, label, confidence, error)));
        } catch (IOException e) {
            throw new CosmicException(ExitCode.STORAGE, "cannot write " + csv + ": " + e.getMessage(), e);
        }
    }

    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        DeltaTable.forPath(spark, table)
                .as("t")
                .merge(
                        spark.createDataFrame(pending, PredictJob.SCHEMA).as("s"),
                        "t.image_id = s.image_id AND t.model_id = s.model_id")
                .whenMatched()
                .updateAll()
                .whenNotMatched()
                .insertAll()
                .execute();
        pending.clear();
    }

    /** Writes what is pending and puts the CSV in place. */
    PredictJob.Result finish() {
        flush();
        if (out != null) {
            try {
                out.close();
                try (FileChannel c = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                    c.force(true);
                }
                try {
                    Files.move(partial, csv, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                    Files.move(partial, csv, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new CosmicException(ExitCode.STORAGE, "cannot write " + csv + ": " + e.getMessage(), e);
            }
        }
        finished = true;
        return new PredictJob.Result(modelId, scored, failed);
    }

    /** After a failure: the partial CSV goes, the previous one stays. */
    @Override
    public void close() {
        if (finished || out == null) {
            return;
        }
        try {
            out.close();
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", partial, e.getMessage());
        }
    }
}

package com.cosmicmorphology.processing.eda;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.processing.pixels.PixelStatsJob;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./cosmic eda}: writes the eda_* tables (aggregates are overwritten as a whole: each is a snapshot of
 * the lake; {@code eda_pixel_stats} grows incrementally) and, if asked, the HTML report.
 */
public final class EdaJob {
    private static final Logger LOG = LoggerFactory.getLogger(EdaJob.class);

    /** What the run wrote. */
    public record Result(Map<String, Long> rowsPerTable, PixelStatsJob.Result pixels, Path report) {}

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig config;

    public EdaJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.config = ctx.config();
    }

    /** @param reportDir where to write the report, or null for tables only */
    public Result run(Path reportDir, boolean pixels) {
        lake.read(spark, LakeTable.IMAGES); // fails with "run ingest first" if absent
        EdaTables eda = new EdaTables(spark, lake);
        Map<String, Dataset<Row>> tables = new LinkedHashMap<>(eda.metadataTables());
        PixelStatsJob.Result px = null;
        if (pixels) {
            px = new PixelStatsJob(ctx).run();
            LOG.info("pixel statistics: {} new content hashes decoded, {} reused", px.computed(), px.reused());
            tables.put(
                    EdaTables.PIXELS_PER_CLASS,
                    eda.pixelsPerClass(lake.read(spark, LakeTable.IMAGES), eda.pixelStats()));
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map.Entry<String, Dataset<Row>> t : tables.entrySet()) {
            t.getValue()
                    .write()
                    .format("delta")
                    .mode(SaveMode.Overwrite)
                    .option("overwriteSchema", "true")
                    .save(lake.location(t.getKey()));
            // the row count comes from the commit's own metrics: no second scan of the table just written
            Row commit = io.delta.tables.DeltaTable.forPath(spark, lake.location(t.getKey()))
                    .history(1)
                    .first();
            Map<String, String> metrics = commit.getJavaMap(commit.fieldIndex("operationMetrics"));
            counts.put(t.getKey(), Long.parseLong(metrics.getOrDefault("numOutputRows", "0")));
        }
        Path report = null;
        if (reportDir != null) {
            report = new EdaReport(ctx).write(reportDir);
            LOG.info("report written to {}", report);
        }
        return new Result(counts, px, report);
    }
}

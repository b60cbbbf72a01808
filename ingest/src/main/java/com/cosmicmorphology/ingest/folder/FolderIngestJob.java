package com.cosmicmorphology.ingest.folder;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.labels.LabelNames;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.lake.QuarantineRow;
import com.cosmicmorphology.common.progress.Progress;
import com.cosmicmorphology.ingest.image.ImageInspector;
import com.cosmicmorphology.ingest.image.InspectedImage;
import com.cosmicmorphology.ingest.lake.ImageRow;
import com.cosmicmorphology.ingest.lake.IngestTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A labelled image folder (one sub-folder per class, as SpaceNet and ImageFolder ship) into {@code images}.
 * image_id is {@code folder:<path relative to the root>}, so re-running adds nothing twice. Files that do
 * not decode, files outside a class folder, links that lead out of the root, unreadable sub-folders and files
 * whose content changed under a path already ingested ({@code content_changed}: the lake keeps the version it
 * has; see {@link ChangedFiles}) go to quarantine.
 */
public final class FolderIngestJob {
    private static final Logger LOG = LoggerFactory.getLogger(FolderIngestJob.class);
    public static final String SOURCE = "folder";

    /** What a run did. */
    public record Result(long files, long imagesAdded, long quarantined, long alreadyPresent) {}

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig config;
    private final IngestTables tables;

    public FolderIngestJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.config = ctx.config();
        this.tables = new IngestTables(spark, lake);
    }

    public Result run(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    "--path " + dir + " is not a directory; give the folder that " + "holds one sub-folder per class");
        }
        Path root = realPath(dir);
        lake.checkWritable(spark);
        Timestamp now = Timestamp.from(Instant.now());
        List<Path> files = new ArrayList<>();
        List<QuarantineRow> rejected = new ArrayList<>();
        FolderWalk.Result walked = FolderWalk.walk(root, now);
        files.addAll(walked.files());
        rejected.addAll(walked.rejected());

        lake.create(spark, LakeTable.IMAGES);
        lake.create(spark, LakeTable.QUARANTINE);
        Map<String, String> existing = tables.readPairs(
                LakeTable.IMAGES,
                "image_id",
                "content_sha256",
                org.apache.spark.sql.functions.col("source").equalTo(org.apache.spark.sql.functions.lit(SOURCE)));
        List<Path> pending = files.stream()
                .filter(p -> !existing.containsKey(imageId(root, p)))
                .toList();
        ChangedFiles changed = ChangedFiles.find(root, files, existing, now);
        rejected.addAll(changed.quarantine());
        Progress progress = new Progress(
                "ingest folder", Duration.ofSeconds(config.progress().intervalS()));
        progress.expect(pending.size());
        tables.mergeQuarantine(rejected);
        tables.clearQuarantine(SOURCE, "ingest", changed.unchangedAgain());

        long[] landed = land(root, pending, now, progress);
        long added = landed[0];
        long bad = rejected.size() + landed[1];
        progress.done();
        LOG.info(
                "folder {}: {} files, {} new images, {} already present, {} quarantined",
                root,
                files.size(),
                added,
                files.size() - pending.size(),
                bad);
        return new Result(files.size(), added, bad, files.size() - pending.size());
    }

    private static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            throw new CosmicException(ExitCode.USAGE, "--path " + dir + " cannot be resolved: " + e.getMessage());
        }
    }

    /** Reads, decodes and lands the pending files in batches; returns {images added, files quarantined}. */
    private long[] land(Path root, List<Path> pending, Timestamp now, Progress progress) {
        ImageInspector inspector = new ImageInspector(com.cosmicmorphology.common.image.DecodeLimits.of(config));
        long maxBytes = config.ingest().maxImageBytes();
        int batchSize = config.ingest().batchSize();
        long added = 0;
        long bad = 0;
        Map<String, String> labelMap =
                LabelNames.byLabelSpelling(config.ingest().folderLabelMap());
        for (int start = 0; start < pending.size(); start += batchSize) {
            List<Path> batch = pending.subList(start, Math.min(pending.size(), start + batchSize));
            // decoding dominates: spread it over the cores; order is restored by the MERGE key, not by threads
            List<Object> results = batch.parallelStream()
                    .map(p -> load(root, p, labelMap, inspector, maxBytes, now, progress))
                    .toList();
            List<ImageRow> images = results.stream()
                    .filter(ImageRow.class::isInstance)
                    .map(ImageRow.class::cast)
                    .toList();
            List<QuarantineRow> q = results.stream()
                    .filter(QuarantineRow.class::isInstance)
                    .map(QuarantineRow.class::cast)
                    .toList();
            tables.mergeImages(images);
            tables.mergeQuarantine(q);
            added += images.size();
            bad += q.size();
        }
        return new long[] {added, bad};
    }

    private static Object load(
            Path root,
            Path file,
            Map<String, String> labelMap,
            ImageInspector inspector,
            long maxBytes,
            Timestamp now,
            Progress progress) {
        String rel = relative(root, file);
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                progress.rejected();
                return reject(rel, "too_large", size + " bytes, over ingest.max-image-bytes=" + maxBytes, now);
            }
            byte[] bytes = Files.readAllBytes(file);
            InspectedImage img = inspector.inspect(bytes);
            progress.item(bytes.length);
            String folder = root.relativize(file).getName(0).toString();
            String mapped = labelMap.get(LabelNames.normalise(folder));
            // a mapped folder takes the product's class; any other keeps its own name, spelled as labels are (cleaning
            // flags names that are not among clean.classes instead of forcing them into a wrong class)
            String label = mapped != null ? mapped : LabelNames.normalise(folder);
            String labelSource = mapped != null ? SOURCE + ":label-map" : SOURCE;
            return new ImageRow(
                    imageId(root, file),
                    SOURCE,
                    label,
                    labelSource,
                    bytes,
                    img.sha256(),
                    img.format(),
                    img.width(),
                    img.height(),
                    bytes.length,
                    file.toString(),
                    now);
        } catch (IOException e) {
            progress.rejected();
            return reject(rel, "unreadable", e.getClass().getSimpleName() + ": " + e.getMessage(), now);
        } catch (ImageInspector.Rejected r) {
            progress.rejected();
            return reject(rel, r.reason(), r.getMessage(), now);
        } catch (RuntimeException e) { // decoder failures are already ImageRefused (Images); this catches the rest
            // a decoder failing in a way nobody planned for fails this file, not the run
            progress.rejected();
            return reject(rel, "undecodable", e.getClass().getSimpleName() + ": " + e.getMessage(), now);
        }
    }

    static String imageId(Path root, Path file) {
        return SOURCE + ":" + relative(root, file);
    }

    static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    static QuarantineRow reject(String rel, String reason, String detail, Timestamp at) {
        return new QuarantineRow(SOURCE, SOURCE + ":" + rel, "ingest", reason, detail, at);
    }
}

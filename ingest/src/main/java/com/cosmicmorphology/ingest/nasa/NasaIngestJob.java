package com.cosmicmorphology.ingest.nasa;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.lake.QuarantineRow;
import com.cosmicmorphology.common.progress.Progress;
import com.cosmicmorphology.ingest.http.FetchOutcome;
import com.cosmicmorphology.ingest.http.HttpFetcher;
import com.cosmicmorphology.ingest.http.RateLimitGate;
import com.cosmicmorphology.ingest.http.UrlPolicy;
import com.cosmicmorphology.ingest.image.ImageInspector;
import com.cosmicmorphology.ingest.image.InspectedImage;
import com.cosmicmorphology.ingest.lake.ImageRow;
import com.cosmicmorphology.ingest.lake.IngestTables;
import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NASA search results into {@code nasa_items}, {@code images} and {@code quarantine}.
 *
 * <p>Order of work, chosen so that a run killed at any moment and started again ends with the same
 * tables: (1) crawl every query's pages (metadata only, small); (2) MERGE {@code nasa_items}, uniting the
 * queries of items seen before; (3) label every item from its full query set; (4) download, decode and
 * hash the previews not yet in {@code images}, {@code nasa.http.concurrency} at a time, and append them in
 * batches of {@code ingest.batch-size} (the next batch downloads while one is being written, and at most
 * two batches of bytes are in memory). Downloads start during the crawl already ({@link Prefetcher}): the
 * bytes do not depend on the label, which is attached when a batch is written. Nothing is dropped silently:
 * every item ends in {@code images} or in {@code quarantine} with a reason code.
 */
public final class NasaIngestJob {
    private static final Logger LOG = LoggerFactory.getLogger(NasaIngestJob.class);
    public static final String SOURCE = "nasa";
    public static final String LABEL_SOURCE = "nasa_query";
    /** Rejections that a re-run would only repeat: not downloaded again. */
    private static final Set<String> PERMANENT =
            Set.of("undecodable", "unsupported_format", "too_large", "too_many_pixels");

    /** What a run did, for the summary line and tests. */
    public record Result(
            int pages,
            int items,
            long imagesAdded,
            long quarantined,
            long relabelled,
            long bytes,
            double seconds,
            int startedDuringCrawl) {}

    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig config;
    private final IngestTables tables;

    public NasaIngestJob(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.config = ctx.config();
        this.tables = new IngestTables(spark, lake);
    }

    /**
     * @param maxImages download at most this many new images in this run (0 = all); the rest come next run
     */
    public Result run(List<String> queries, int maxPages, long maxImages) throws InterruptedException {
        if (queries.isEmpty()) {
            throw new CosmicException(ExitCode.USAGE, "no search terms: pass --query <term> or set nasa.queries");
        }
        lake.checkWritable(spark);
        CosmicConfig.Nasa nasa = config.nasa();
        HttpFetcher http = new HttpFetcher(nasa.http(), new RateLimitGate(), UrlPolicy.of(nasa));
        Progress progress =
                new Progress("ingest nasa", Duration.ofSeconds(config.progress().intervalS()));

        long t0 = System.nanoTime();
        ExecutorService metadataWriter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nasa-items-writer");
            t.setDaemon(true);
            return t;
        });
        ExecutorService downloads = Executors.newFixedThreadPool(nasa.http().concurrency(), r -> {
            Thread t = new Thread(r, "nasa-download");
            t.setDaemon(true);
            return t;
        });
        try {
            return run(queries, maxPages, maxImages, http, progress, metadataWriter, downloads, t0);
        } finally {
            downloads.shutdownNow();
            metadataWriter.shutdownNow();
        }
    }

    private Result run(
            List<String> queries,
            int maxPages,
            long maxImages,
            HttpFetcher http,
            Progress progress,
            ExecutorService metadataWriter,
            ExecutorService downloads,
            long t0)
            throws InterruptedException {
        CosmicConfig.Nasa nasa = config.nasa();
        // What the lake already holds does not depend on the crawl: read it, then create missing tables, while
        // the crawl waits on the network (measured: 4.1 s after a 2.5 s crawl of 100 pages when done after it).
        CompletableFuture<LakeState> lakeState = CompletableFuture.supplyAsync(this::readLakeState, metadataWriter);
        CompletableFuture<Void> tablesReady = lakeState.thenRunAsync(
                () -> {
                    lake.create(spark, LakeTable.IMAGES);
                    lake.create(spark, LakeTable.QUARANTINE);
                },
                metadataWriter);
        int batchSize = config.ingest().batchSize();
        long maxBytes = config.ingest().maxImageBytes();
        ImageInspector inspector = new ImageInspector(com.cosmicmorphology.common.image.DecodeLimits.of(config));
        long ahead = maxImages > 0 ? Math.min(maxImages, 2L * batchSize) : 2L * batchSize;
        Prefetcher<Fetched> prefetch = new Prefetcher<>(
                downloads,
                (int) ahead,
                lakeState,
                PERMANENT,
                item -> () -> fetch(item, http, inspector, maxBytes, progress));
        // (1) crawl
        Timestamp now = Timestamp.from(Instant.now());
        Crawl crawl = crawl(queries, maxPages, http, progress, prefetch, now);
        Map<String, NasaItem> items = crawl.items();
        Map<String, TreeSet<String>> queriesById = crawl.queriesById();
        List<QuarantineRow> rejected = crawl.rejected();
        int pages = crawl.pages();
        int startedDuringCrawl = prefetch.started();
        LOG.info(
                "crawled {} pages: {} items for {} queries in {} ms ({} downloads already started)",
                pages,
                items.size(),
                queries.size(),
                (System.nanoTime() - t0) / 1_000_000,
                startedDuringCrawl);

        // (2) nasa_items, queries united with earlier runs'. Labels need only the united query sets, read
        // before the MERGE, so the MERGE (the slowest metadata step) runs while the images download.
        LakeState state = join(lakeState);
        Map<String, List<String>> allQueries = state.queries();
        Set<String> known = Set.copyOf(allQueries.keySet()); // nasa_ids in the lake before this run
        queriesById.forEach((id, q) -> {
            TreeSet<String> united = new TreeSet<>(q);
            united.addAll(allQueries.getOrDefault(id, List.of()));
            allQueries.put(id, List.copyOf(united));
        });
        Map<String, String> existingLabels = state.labels();
        Map<String, String> quarantined = state.quarantined();
        LOG.debug("tables ready after {} ms", (System.nanoTime() - t0) / 1_000_000);
        CompletableFuture<Void> itemsWritten =
                CompletableFuture.runAsync(() -> writeItems(items, queriesById, known, now), metadataWriter);

        // (3) decide each item's fate
        Plan plan = plan(items, allQueries, existingLabels, quarantined, rejected, now, maxImages);
        List<Candidate> pending = plan.pending();
        Map<String, String> relabel = plan.relabel();
        progress.expect(pending.size());
        LOG.info(
                "{} new images to download, {} already in the lake, {} rejected before download, {} relabelled",
                pending.size(),
                existingLabels.size(),
                rejected.size(),
                relabel.size());

        LOG.debug("crawl, nasa_items and planning took {} ms", (System.nanoTime() - t0) / 1_000_000);
        // (4) download in batches, writing one batch while the next downloads
        join(tablesReady);
        reconcileQuarantine(quarantined, existingLabels);
        long[] counts = download(pending, prefetch, quarantined.keySet());
        tables.clearPageRows(SOURCE, crawl.crawled());
        tables.mergeQuarantine(rejected);
        tables.relabel(relabel, LABEL_SOURCE);
        join(itemsWritten);
        progress.done();
        return new Result(
                pages,
                items.size(),
                counts[0],
                counts[1] + rejected.size(),
                relabel.size(),
                progress.bytes(),
                progress.seconds(),
                startedDuringCrawl);
    }

    /** What the crawl found: items in crawl order, the queries that returned each, rejections, pages read. */
    private record Crawl(
            Map<String, NasaItem> items,
            Map<String, TreeSet<String>> queriesById,
            List<QuarantineRow> rejected,
            int pages,
            Set<String> crawled) {}

    /** Every query's pages; downloads of new items start as they are found. */
    private Crawl crawl(
            List<String> queries,
            int maxPages,
            HttpFetcher http,
            Progress progress,
            Prefetcher<Fetched> prefetch,
            Timestamp now)
            throws InterruptedException {
        CosmicConfig.Nasa nasa = config.nasa();
        Map<String, NasaItem> items = new LinkedHashMap<>();
        Map<String, TreeSet<String>> queriesById = new LinkedHashMap<>();
        List<QuarantineRow> rejected = new ArrayList<>();
        NasaSearchClient client = new NasaSearchClient(http, nasa.apiUrl(), nasa.pageSize(), nasa.pageCap());
        int pages = 0;
        List<SearchPage.BadItem> badPages = new ArrayList<>();
        Set<String> crawled = new java.util.LinkedHashSet<>();
        for (String query : queries) {
            pages += client.search(
                    query,
                    maxPages,
                    page -> {
                        progress.page();
                        crawled.add(page.url());
                        for (NasaItem item : page.items()) {
                            if (items.putIfAbsent(item.nasaId(), item) == null) {
                                prefetch.seen(item);
                            }
                            queriesById
                                    .computeIfAbsent(item.nasaId(), k -> new TreeSet<>())
                                    .add(query);
                        }
                        prefetch.pump();
                        for (SearchPage.BadItem b : page.badItems()) {
                            rejected.add(
                                    new QuarantineRow(SOURCE, b.recordId(), "search", b.reason(), b.detail(), now));
                        }
                    },
                    badPages::add);
        }
        if (pages == 0 && !badPages.isEmpty()) {
            // quarantined, not fatal: the page is kept with its reason and a re-run tries again
            LOG.error(
                    "the NASA API gave no usable search page for {}: {} at {} (quarantined as {}); check --api-url /"
                            + " nasa.api-url",
                    queries,
                    badPages.get(0).detail(),
                    badPages.get(0).recordId(),
                    badPages.get(0).reason());
        }
        for (SearchPage.BadItem b : badPages) {
            rejected.add(new QuarantineRow(SOURCE, b.recordId(), "search", b.reason(), b.detail(), now));
        }
        return new Crawl(items, queriesById, rejected, pages, crawled);
    }

    /** Which items to download (with their labels) and which landed images get a new label. */
    private record Plan(List<Candidate> pending, Map<String, String> relabel) {}

    /** Each item's fate; rejections before download are added to {@code rejected}. */
    private Plan plan(
            Map<String, NasaItem> items,
            Map<String, List<String>> allQueries,
            Map<String, String> existingLabels,
            Map<String, String> quarantined,
            List<QuarantineRow> rejected,
            Timestamp now,
            long maxImages) {
        LabelResolver labels =
                new LabelResolver(config.nasa().labelPolicy(), config.nasa().labelMap());
        List<Candidate> pending = new ArrayList<>();
        Map<String, String> relabel = new LinkedHashMap<>();
        for (NasaItem item : items.values()) {
            List<String> q = allQueries.get(item.nasaId());
            if (!"image".equalsIgnoreCase(item.mediaType())) {
                rejected.add(new QuarantineRow(
                        SOURCE,
                        item.imageId(),
                        "search",
                        "not_image",
                        "media_type is '" + item.mediaType() + "'",
                        now));
                continue;
            }
            if (item.previewUrl() == null) {
                rejected.add(new QuarantineRow(
                        SOURCE, item.imageId(), "search", "no_preview", "item has no links[rel=preview]", now));
                continue;
            }
            Optional<String> label = labels.resolve(q);
            if (label.isEmpty()) {
                rejected.add(new QuarantineRow(
                        SOURCE,
                        item.imageId(),
                        "search",
                        "ambiguous_label",
                        "queries " + q + " give different labels and nasa.label-policy is quarantine",
                        now));
                continue;
            }
            String existing = existingLabels.get(item.imageId());
            if (existing != null) {
                if (!existing.equals(label.get())) {
                    relabel.put(item.imageId(), label.get());
                }
            } else if (!PERMANENT.contains(quarantined.getOrDefault(item.imageId(), ""))) {
                pending.add(new Candidate(item, label.get()));
            }
        }
        if (maxImages > 0 && pending.size() > maxImages) {
            pending = new ArrayList<>(pending.subList(0, (int) maxImages));
        }
        return new Plan(pending, relabel);
    }

    /**
     * A run killed between a batch's append and its quarantine clean-up leaves download rows for images that
     * landed: they are cleared first, so quarantine says what is rejected now.
     */
    private void reconcileQuarantine(Map<String, String> quarantined, Map<String, String> existingLabels) {
        List<String> stale = quarantined.keySet().stream()
                .filter(existingLabels::containsKey)
                .sorted()
                .toList();
        if (!stale.isEmpty()) {
            LOG.info("clearing {} stale quarantine rows of images that landed in an interrupted run", stale.size());
            tables.clearQuarantine(SOURCE, "download", stale);
        }
    }

    private static <T> T join(CompletableFuture<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new IllegalStateException("lake metadata step failed", c);
        }
    }

    /** What the lake holds before this run: queries per nasa_id, labels per image_id, download quarantine. */
    record LakeState(Map<String, List<String>> queries, Map<String, String> labels, Map<String, String> quarantined) {}

    /** Reads only (a missing table holds nothing): what is already there decides what to download. */
    private LakeState readLakeState() {
        return new LakeState(
                readQueries(),
                tables.readPairs(
                        LakeTable.IMAGES, "image_id", "label", col("source").equalTo(lit(SOURCE))),
                tables.readPairs(
                        LakeTable.QUARANTINE,
                        "record_id",
                        "reason",
                        col("source").equalTo(lit(SOURCE)).and(col("stage").equalTo(lit("download")))));
    }

    private record Candidate(NasaItem item, String label) {}

    /** A downloaded, inspected preview (or why it was rejected); the label comes when its batch is written. */
    private record Fetched(NasaItem item, byte[] body, InspectedImage image, Timestamp at, QuarantineRow rejected) {
        ImageRow row(String label) {
            return new ImageRow(
                    item.imageId(),
                    SOURCE,
                    label,
                    LABEL_SOURCE,
                    body,
                    image.sha256(),
                    image.format(),
                    image.width(),
                    image.height(),
                    body.length,
                    item.previewUrl(),
                    at);
        }
    }

    private long[] download(List<Candidate> pending, Prefetcher<Fetched> prefetch, Set<String> wasQuarantined)
            throws InterruptedException {
        int batchSize = config.ingest().batchSize();
        long added = 0;
        long rejected = 0;
        List<Future<Fetched>> current = submit(pending, 0, batchSize, prefetch);
        for (int start = 0; start < pending.size(); start += batchSize) {
            List<Future<Fetched>> next = submit(pending, start + batchSize, batchSize, prefetch);
            // early downloads are the first two batches' worth of candidates in crawl order, as pending is: what
            // the first two batches did not take belongs to items rejected after the crawl
            prefetch.dropRest();
            List<ImageRow> images = new ArrayList<>();
            List<QuarantineRow> bad = new ArrayList<>();
            for (int k = 0; k < current.size(); k++) {
                Fetched f = get(current.get(k), pending.get(start + k).item());
                if (f.rejected() == null) {
                    images.add(f.row(pending.get(start + k).label()));
                } else {
                    bad.add(f.rejected());
                }
            }
            long w0 = System.nanoTime();
            tables.appendImages(images); // planned from the lake's image_ids: all new
            tables.mergeQuarantine(bad);
            LOG.debug(
                    "batch at {}: {} images, {} rejected, written in {} ms",
                    start,
                    images.size(),
                    bad.size(),
                    (System.nanoTime() - w0) / 1_000_000);
            List<String> recovered = images.stream()
                    .map(ImageRow::imageId)
                    .filter(wasQuarantined::contains)
                    .toList();
            tables.clearQuarantine(SOURCE, "download", recovered);
            added += images.size();
            rejected += bad.size();
            current = next;
        }
        return new long[] {added, rejected};
    }

    /** The batch's downloads: those the crawl started already, the others submitted now. */
    private static List<Future<Fetched>> submit(
            List<Candidate> pending, int from, int batchSize, Prefetcher<Fetched> prefetch) {
        List<Future<Fetched>> futures = new ArrayList<>();
        for (int i = from; i < Math.min(pending.size(), from + batchSize); i++) {
            futures.add(prefetch.takeOrSubmit(pending.get(i).item()));
        }
        return futures;
    }

    private static Fetched fetch(
            NasaItem item, HttpFetcher http, ImageInspector inspector, long maxBytes, Progress progress)
            throws InterruptedException {
        try {
            return fetchOrReject(item, http, inspector, maxBytes, progress);
        } catch (RuntimeException e) { // decoder failures are already ImageRefused (Images); this catches the rest
            // a decoder or the network stack failing in a way nobody planned for fails this item, not the run
            progress.rejected();
            return downloadFailed(
                    item, e.getClass().getSimpleName() + ": " + e.getMessage() + " for " + item.previewUrl());
        }
    }

    private static Fetched fetchOrReject(
            NasaItem item, HttpFetcher http, ImageInspector inspector, long maxBytes, Progress progress)
            throws InterruptedException {
        String id = item.imageId();
        Timestamp at = Timestamp.from(Instant.now());
        FetchOutcome f = http.get(item.previewUrl(), maxBytes);
        if (!f.isOk()) {
            progress.rejected();
            return new Fetched(
                    item,
                    null,
                    null,
                    at,
                    new QuarantineRow(
                            SOURCE, id, "download", f.reason(), f.detail() + " for " + item.previewUrl(), at));
        }
        try {
            InspectedImage img = inspector.inspect(f.body());
            progress.item(f.body().length);
            return new Fetched(item, f.body(), img, at, null);
        } catch (ImageInspector.Rejected r) {
            progress.rejected();
            return new Fetched(
                    item, null, null, at, new QuarantineRow(SOURCE, id, "download", r.reason(), r.getMessage(), at));
        }
    }

    /** An item whose download failed in a way nobody planned for: quarantined as download_failed, the run goes on. */
    private static Fetched downloadFailed(NasaItem item, String detail) {
        Timestamp at = Timestamp.from(Instant.now());
        return new Fetched(
                item,
                null,
                null,
                at,
                new QuarantineRow(SOURCE, item.imageId(), "download", "download_failed", detail, at));
    }

    private static Fetched get(Future<Fetched> f, NasaItem item) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return downloadFailed(item, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    /**
     * Items new to the lake (by nasa_id, as read before the crawl) are appended; only those it already holds go
     * through the MERGE that unites their queries. A MERGE of a whole first crawl joined every row against the
     * table and was the heaviest metadata step, competing for the cores with the downloads it runs beside
     * (measured: bench ingest). The lake has one writer at a time (the writer lock), so the ids read before the
     * crawl are still the table's; a run killed between the two commits leaves appended items that a re-run
     * finds known and merges, so nothing lands twice.
     */
    private void writeItems(
            Map<String, NasaItem> items, Map<String, TreeSet<String>> queriesById, Set<String> known, Timestamp now) {
        lake.create(spark, LakeTable.NASA_ITEMS);
        List<Row> fresh = new ArrayList<>();
        List<Row> seen = new ArrayList<>();
        for (NasaItem i : items.values()) {
            (known.contains(i.nasaId()) ? seen : fresh).add(itemRow(i, queriesById.get(i.nasaId()), now));
        }
        tables.appendItems(fresh);
        if (!seen.isEmpty()) {
            mergeItems(seen);
        }
    }

    private static Row itemRow(NasaItem i, TreeSet<String> queries, Timestamp now) {
        return RowFactory.create(
                i.nasaId(),
                i.title(),
                i.description(),
                i.keywords(),
                i.center(),
                i.dateCreated() == null ? null : Timestamp.from(i.dateCreated()),
                i.mediaType(),
                new ArrayList<>(queries),
                i.previewUrl(),
                i.rawJson(),
                now);
    }

    private void mergeItems(List<Row> rows) {
        DeltaTable t = lake.delta(spark, LakeTable.NASA_ITEMS);
        String united = "array_sort(array_union(t.queries, s.queries))";
        t.as("t")
                .merge(spark.createDataFrame(rows, IngestTables.NASA_ITEMS).as("s"), "t.nasa_id = s.nasa_id")
                .whenMatched("NOT (" + united + " <=> t.queries) OR NOT (t.raw_json <=> s.raw_json)")
                .updateExpr(Map.of(
                        "queries",
                        united,
                        "title",
                        "s.title",
                        "description",
                        "s.description",
                        "keywords",
                        "s.keywords",
                        "center",
                        "s.center",
                        "date_created",
                        "s.date_created",
                        "media_type",
                        "s.media_type",
                        "preview_url",
                        "s.preview_url",
                        "raw_json",
                        "s.raw_json"))
                .whenNotMatched()
                .insertAll()
                .execute();
    }

    private Map<String, List<String>> readQueries() {
        Map<String, List<String>> out = new HashMap<>();
        if (!lake.exists(spark, LakeTable.NASA_ITEMS)) {
            return out;
        }
        for (Row r : lake.read(spark, LakeTable.NASA_ITEMS)
                .select("nasa_id", "queries")
                .collectAsList()) {
            out.put(r.getString(0), r.getList(1));
        }
        return out;
    }
}

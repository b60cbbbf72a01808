package com.cosmicmorphology.processing.eda;

import static org.apache.spark.sql.functions.col;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.processing.pixels.PixelStatsCalculator;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The EDA report: one HTML page and the PNG charts it shows, in one folder that can be copied or served
 * as is. Reads only the small eda_* tables, plus the bytes of the few thumbnail images.
 */
public final class EdaReport {
    private final JobContext ctx;
    private final SparkSession spark;
    private final LakeLayout lake;
    private final CosmicConfig config;

    public EdaReport(JobContext ctx) {
        this.ctx = ctx;
        this.spark = ctx.spark();
        this.lake = ctx.lake();
        this.config = ctx.config();
    }

    public Path write(Path dir) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(dir);
            StringBuilder html = new StringBuilder();
            header(html);
            classBalance(html, dir);
            sizes(html, dir);
            brightness(html, dir);
            thumbnailGrids(html, dir);
            duplicates(html);
            quarantine(html, dir);
            nasaItems(html);
            html.append(
                    "<p><small>Images keep their own licences: see the credits shipped with each source.</small></p></body></html>");
            Path index = dir.resolve("index.html");
            Files.writeString(index, html, StandardCharsets.UTF_8);
            return index;
        } catch (IOException e) {
            throw new CosmicException(
                    ExitCode.STORAGE, "cannot write the EDA report to " + dir + ": " + e.getMessage(), e);
        }
    }

    private void header(StringBuilder html) {
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Cosmic Morphology EDA</title>")
                .append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px}")
                .append("img{max-width:100%}h2{margin-top:1.6em}</style></head><body>")
                .append("<h1>Cosmic Morphology — exploratory data analysis</h1><p>Lake: <code>")
                .append(esc(lake.root()))
                .append("</code></p>");
    }

    /** Images per class, stacked by source. */
    private void classBalance(StringBuilder html, Path dir) throws IOException {
        List<Row> classes = table(EdaTables.CLASS_COUNTS);
        // series = source (stacked: parts of one class's total), bars = labels, largest class first
        Map<String, Long> perLabel = new LinkedHashMap<>();
        classes.forEach(r -> perLabel.merge(String.valueOf(r.get(1)), r.getLong(2), Long::sum));
        List<String> byCount = perLabel.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .toList();
        DefaultCategoryDataset balance = new DefaultCategoryDataset();
        byCount.forEach(label -> classes.stream()
                .filter(r -> label.equals(String.valueOf(r.get(1))))
                .forEach(r -> balance.addValue(r.getLong(2), r.getString(0), label)));
        long total = perLabel.values().stream().mapToLong(Long::longValue).sum();
        section(
                html,
                "Class balance",
                chart(
                        dir,
                        "class_balance.png",
                        BarCharts.horizontal(
                                "Images per class",
                                total + " images, " + byCount.size() + " classes; shares are of all " + total
                                        + " images",
                                "images",
                                balance,
                                true,
                                BarCharts.Values.COUNT_AND_SHARE),
                        BarCharts.horizontalHeight(byCount.size(), 1, balance.getRowCount() > 1, true)));
        html.append(rowsTable(List.of("source", "label", "images"), classes));
    }

    /** Histogram of the images' long side. */
    private void sizes(StringBuilder html, Path dir) throws IOException {
        Map<Long, Long> sizes = new java.util.TreeMap<>();
        for (Row r : table(EdaTables.DIMENSIONS)) {
            sizes.merge(r.getLong(1), r.getLong(3), Long::sum);
        }
        DefaultCategoryDataset sizeData = histogram(sizes);
        long sized = sizes.values().stream().mapToLong(Long::longValue).sum();
        section(
                html,
                "Image sizes (long side, px)",
                chart(
                        dir,
                        "sizes.png",
                        BarCharts.vertical(
                                "Long side of the images",
                                sized + " images; empty buckets included"
                                        + (sizeData.getColumnCount() <= BarCharts.MAX_LABELLED_BARS
                                                ? "; shares are of all " + sized + " images"
                                                : ""),
                                "long side (px)",
                                "images",
                                sizeData),
                        400));
    }

    /** Mean brightness and dark background per class (when the pixel statistics ran). */
    private void brightness(StringBuilder html, Path dir) throws IOException {
        if (lake.exists(spark, EdaTables.PIXELS_PER_CLASS)) {
            List<Row> px = table(EdaTables.PIXELS_PER_CLASS);
            DefaultCategoryDataset bright = new DefaultCategoryDataset();
            for (Row r : px.stream()
                    .sorted(java.util.Comparator.comparing(r -> r.getString(0)))
                    .toList()) {
                bright.addValue(r.getDouble(r.fieldIndex("brightness_mean")), "mean brightness", r.getString(0));
                bright.addValue(
                        r.getDouble(r.fieldIndex("dark_fraction_mean")),
                        "dark background (share of pixels)",
                        r.getString(0));
            }
            section(
                    html,
                    "Brightness per class",
                    chart(
                            dir,
                            "brightness.png",
                            BarCharts.horizontal(
                                    "Brightness and dark background per class",
                                    String.format(
                                            java.util.Locale.ROOT,
                                            "means over each class's images; dark = luminance under %.2f (eda.dark-threshold)",
                                            config.eda().darkThreshold()),
                                    "share (0% = black / none, 100% = white / all)",
                                    bright,
                                    false,
                                    BarCharts.Values.PERCENT),
                            BarCharts.horizontalHeight(px.size(), 2, true, true)));
            html.append(rowsTable(
                    List.of("label", "n", "brightness", "std", "dark fraction", "sharpness", "R", "G", "B"), px));
        }
    }

    /** One grid of thumbnails per class. */
    private void thumbnailGrids(StringBuilder html, Path dir) throws IOException {
        html.append("<h2>Thumbnails per class</h2>");
        for (Map.Entry<String, List<byte[]>> e : thumbnails().entrySet()) {
            String file = "thumbs_" + e.getKey().replaceAll("[^A-Za-z0-9_-]", "_") + ".png";
            ImageIO.write(grid(e.getValue()), "png", dir.resolve(file).toFile());
            html.append("<h3>")
                    .append(esc(e.getKey()))
                    .append("</h3><img src=\"")
                    .append(file)
                    .append("\" alt=\"")
                    .append(esc(e.getKey()))
                    .append(" thumbnails\">");
        }
    }

    /** Exact duplicates, and what cleaning excluded. */
    private void duplicates(StringBuilder html) {
        List<Row> dups = table(EdaTables.DUPLICATES);
        html.append("<h2>Duplicates found</h2><p>")
                .append(dups.size())
                .append(" content hashes held by more than one image (exact duplicates).</p>");
        html.append(rowsTable(
                List.of("content_sha256", "copies", "image_ids", "labels"),
                dups.subList(0, Math.min(30, dups.size()))));
        if (lake.exists(spark, LakeTable.CURATED_IMAGES)) {
            List<Row> excluded = lake.read(spark, LakeTable.CURATED_IMAGES)
                    .where(col("included").equalTo(false))
                    .groupBy("reason")
                    .count()
                    .orderBy(col("count").desc())
                    .collectAsList();
            html.append("<h3>Excluded by cleaning</h3>").append(rowsTable(List.of("reason", "images"), excluded));
        }
    }

    /** Quarantined records by reason (a sentence when there are none). */
    private void quarantine(StringBuilder html, Path dir) throws IOException {
        if (lake.exists(spark, EdaTables.QUARANTINE_REASONS)) {
            List<Row> q = table(EdaTables.QUARANTINE_REASONS);
            if (q.isEmpty()) {
                // an empty chart reads as a broken one: say it in words (and drop a chart a previous run left)
                Files.deleteIfExists(dir.resolve("quarantine.png"));
                html.append("<h2>Quarantine</h2><p>Nothing quarantined: every record landed.</p>");
            } else {
                // series = stage (stacked: a reason's records across stages), bars = reasons, most frequent first
                Map<String, Long> perReason = new LinkedHashMap<>();
                q.forEach(r -> perReason.merge(r.getString(2), r.getLong(3), Long::sum));
                DefaultCategoryDataset qd = new DefaultCategoryDataset();
                perReason.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                        .forEach(e -> q.stream()
                                .filter(r -> e.getKey().equals(r.getString(2)))
                                .forEach(r -> qd.addValue(r.getLong(3), "stage " + r.getString(1), e.getKey())));
                long records =
                        perReason.values().stream().mapToLong(Long::longValue).sum();
                section(
                        html,
                        "Quarantine",
                        chart(
                                dir,
                                "quarantine.png",
                                BarCharts.horizontal(
                                        "Quarantined records by reason",
                                        records + " quarantined records; shares are of all " + records,
                                        "records",
                                        qd,
                                        true,
                                        BarCharts.Values.COUNT_AND_SHARE),
                                BarCharts.horizontalHeight(perReason.size(), 1, qd.getRowCount() > 1, true)));
            }
            html.append(rowsTable(List.of("source", "stage", "reason", "records"), q));
        }
    }

    /** Keywords, years and centres of the NASA items (when NASA was ingested). */
    private void nasaItems(StringBuilder html) {
        if (lake.exists(spark, EdaTables.KEYWORDS)) {
            List<Row> k = table(EdaTables.KEYWORDS);
            html.append("<h2>Top keywords (NASA items)</h2>")
                    .append(rowsTable(List.of("keyword", "items"), k.subList(0, Math.min(25, k.size()))));
            html.append("<h2>Items per year</h2>")
                    .append(rowsTable(List.of("year", "items"), table(EdaTables.ITEMS_PER_YEAR)));
            html.append("<h2>Items per centre</h2>")
                    .append(rowsTable(List.of("center", "items"), table(EdaTables.ITEMS_PER_CENTER)));
        }
    }

    private List<Row> table(String name) {
        return spark.read().format("delta").load(lake.location(name)).collectAsList();
    }

    /** First N images per label by image_id (metadata only), then the bytes of just those. */
    private Map<String, List<byte[]>> thumbnails() {
        int n = config.eda().thumbnailsPerClass();
        Map<String, List<byte[]>> out = new LinkedHashMap<>();
        if (n == 0) {
            return out;
        }
        Dataset<Row> images = lake.read(spark, LakeTable.IMAGES);
        Dataset<Row> chosen = images.select("image_id", "label")
                .withColumn(
                        "rank",
                        org.apache
                                .spark
                                .sql
                                .functions
                                .row_number()
                                .over(Window.partitionBy("label").orderBy("image_id")))
                .where(col("rank").leq(n))
                .select("image_id");
        for (Row r : images.select("image_id", "label", "content")
                .join(chosen, "image_id")
                .orderBy("label", "image_id")
                .collectAsList()) {
            out.computeIfAbsent(String.valueOf(r.get(1)), k -> new ArrayList<>())
                    .add((byte[]) r.get(2));
        }
        return out;
    }

    private static BufferedImage grid(List<byte[]> images) throws IOException {
        int cell = 96;
        int cols = Math.min(6, images.size());
        int rows = (images.size() + cols - 1) / cols;
        BufferedImage out = new BufferedImage(cols * cell, rows * cell, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.DARK_GRAY);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img;
            try {
                img = com.cosmicmorphology.common.image.Images.decode(images.get(i));
            } catch (IOException e) {
                continue; // quarantined by the pixel statistics already; a thumbnail less is no reason to lose the
                // report
            }
            if (img == null) {
                continue;
            }
            BufferedImage t = PixelStatsCalculator.scaleToFit(img, cell - 4);
            g.drawImage(
                    t,
                    (i % cols) * cell + (cell - t.getWidth()) / 2,
                    (i / cols) * cell + (cell - t.getHeight()) / 2,
                    null);
        }
        g.dispose();
        return out;
    }

    private static String chart(Path dir, String file, JFreeChart chart, int height) throws IOException {
        BarCharts.save(chart, dir.resolve(file), height);
        return file;
    }

    /** The most bars the size histogram shows before its buckets widen (more would not leave room for labels). */
    static final int MAX_BUCKETS = 24;

    /**
     * Every bucket from the smallest size to the largest, empty ones as 0 (a histogram that skipped them would put
     * 128 px next to 4096 px). The table's 64 px buckets are merged into 128, 256, ... px ones while there would be
     * more than {@link #MAX_BUCKETS} bars.
     */
    static DefaultCategoryDataset histogram(Map<Long, Long> countsBy64) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        if (countsBy64.isEmpty()) {
            return data;
        }
        long first = java.util.Collections.min(countsBy64.keySet());
        long last = java.util.Collections.max(countsBy64.keySet());
        long w = 64;
        while ((last / w - first / w) + 1 > MAX_BUCKETS) {
            w *= 2;
        }
        long width = w;
        Map<Long, Long> merged = new java.util.TreeMap<>();
        for (long b = first / width * width; b <= last; b += width) {
            merged.put(b, 0L);
        }
        countsBy64.forEach((b, n) -> merged.merge(b / width * width, n, Long::sum));
        merged.forEach((b, n) -> data.addValue(n, "images", b + "–" + (b + width - 1)));
        return data;
    }

    private static void section(StringBuilder html, String title, String png) {
        html.append("<h2>")
                .append(esc(title))
                .append("</h2><img src=\"")
                .append(png)
                .append("\" alt=\"")
                .append(esc(title))
                .append("\">");
    }

    private static String rowsTable(List<String> header, List<Row> rows) {
        StringBuilder sb = new StringBuilder("<table><tr>");
        header.forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
        sb.append("</tr>");
        for (Row r : rows) {
            sb.append("<tr>");
            for (int i = 0; i < Math.min(header.size(), r.size()); i++) {
                Object v = r.get(i);
                String s = v instanceof Double d
                        ? String.format("%.3f", d)
                        : v instanceof scala.collection.Seq<?>
                                ? String.join(
                                        ", ",
                                        r.getList(i).stream()
                                                .map(String::valueOf)
                                                .toList())
                                : String.valueOf(v);
                sb.append("<td>").append(esc(s)).append("</td>");
            }
            sb.append("</tr>");
        }
        return sb.append("</table>").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

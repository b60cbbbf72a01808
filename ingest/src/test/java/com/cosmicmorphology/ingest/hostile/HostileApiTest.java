package com.cosmicmorphology.ingest.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.ingest.NasaSample;
import com.cosmicmorphology.ingest.nasa.NasaIngestJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NASA ingest against an API that answers what a hostile or broken one would: links to local files and
 * foreign hosts, redirects out, fields of the wrong JSON type, bodies cut short, pages that are not JSON,
 * next links that loop or never end, and ids made to break SQL. Nothing aborts the run, nothing hangs, and
 * every item ends in images or in quarantine with a reason.
 */
class HostileApiTest {
    @TempDir
    Path tmp;

    private HostileApiServer api;
    private byte[] jpeg;
    private final SparkSession spark = SharedSpark.get();

    @BeforeEach
    void start() throws Exception {
        api = new HostileApiServer();
        jpeg = Files.readAllBytes(NasaSample.dir().resolve("assets/STL-u10822/STL-u10822~thumb.jpg"));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private NasaIngestJob.Result ingest(Path lake, Map<String, String> extra) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of(
                "nasa.api-url",
                api.base(),
                "ingest.batch-size",
                "4",
                "nasa.http.backoff-base-ms",
                "10",
                "nasa.http.backoff-max-ms",
                "40",
                "nasa.http.read-timeout-ms",
                "2000",
                "nasa.http.max-retries",
                "2"));
        all.putAll(extra);
        CosmicConfig c = SharedSpark.config(lake.toString(), all);
        return new NasaIngestJob(JobContext.of(spark, new LakeLayout(c.lake().root()), c)).run(List.of("galaxy"), 0, 0);
    }

    private static String item(String idJson, String href) {
        return "{\"data\":[{\"nasa_id\":" + idJson + ",\"media_type\":\"image\",\"title\":\"t\"}],"
                + "\"links\":[{\"rel\":\"preview\",\"href\":\"" + href + "\"}]}";
    }

    private static String page(String next, String... items) {
        String links = next == null ? "" : ",\"links\":[{\"rel\":\"next\",\"href\":\"" + next + "\"}]";
        return "{\"collection\":{\"version\":\"1.0\",\"items\":[" + String.join(",", items) + "]" + links + "}}";
    }

    private Map<String, String> quarantine(Path lake) {
        return new LakeLayout(lake.toString())
                .read(spark, LakeTable.QUARANTINE).collectAsList().stream()
                        .collect(Collectors.toMap(
                                r -> r.<String>getAs("record_id"),
                                r -> r.<String>getAs("reason"),
                                (a, b) -> a + "," + b));
    }

    private List<String> images(Path lake) {
        return new LakeLayout(lake.toString())
                .read(spark, LakeTable.IMAGES).select("image_id").orderBy("image_id").collectAsList().stream()
                        .map(r -> r.getString(0))
                        .toList();
    }

    @Test
    void untrustedLinksWrongTypesAndShortBodiesAreQuarantinedAndTheRunGoesOn() throws Exception {
        api.image("/img/good.jpg", jpeg);
        api.redirect("/img/redir-ok", "%BASE%/img/good.jpg");
        api.redirect("/img/redir-out", "http://evil.example.org/a.jpg");
        api.redirect("/img/redir-file", "file:///etc/passwd");
        api.redirect("/img/redir-loop", "%BASE%/img/redir-loop");
        int[] sent = {jpeg.length / 3};
        String truncatedUrl = api.truncated(jpeg, sent);
        String first = page(
                "%BASE%/search?q=galaxy&media_type=image&page=2",
                item("\"good-1\"", "%BASE%/img/good.jpg"),
                "{\"data\":{\"nasa_id\":\"data-object\",\"media_type\":\"image\"},"
                        + "\"links\":[{\"rel\":\"preview\",\"href\":\"%BASE%/img/good.jpg\"}]}",
                item("12345", "%BASE%/img/good.jpg"),
                "{\"data\":[{\"nasa_id\":\"links-string\",\"media_type\":\"image\"}],\"links\":\"%BASE%/img/good.jpg\"}",
                "{\"data\":[{\"nasa_id\":{\"x\":1},\"media_type\":\"image\"}]}",
                "\"an item that is a string\"",
                item("\"file-link\"", "file:///etc/passwd"),
                item("\"jar-link\"", "jar:file:/tmp/x.jar!/a.jpg"),
                item("\"ftp-link\"", "ftp://127.0.0.1/a.jpg"),
                item("\"metadata-host\"", "http://169.254.169.254/latest/meta-data/"),
                item("\"redirect-ok\"", "%BASE%/img/redir-ok"),
                item("\"redirect-out\"", "%BASE%/img/redir-out"),
                item("\"redirect-file\"", "%BASE%/img/redir-file"),
                item("\"redirect-loop\"", "%BASE%/img/redir-loop"),
                item("\"truncated\"", truncatedUrl));
        // page 2 links back to page 1 (parameters in another order): a loop, not an endless crawl
        String second = page(
                "%BASE%/search?page_size=100&page=1&media_type=image&q=galaxy",
                item("\"good-2\"", "%BASE%/img/good.jpg"));
        api.pages(n -> n == 1 ? first : n == 2 ? second : page(null));

        Path lake = tmp.resolve("lake");
        NasaIngestJob.Result r = ingest(lake, Map.of());

        assertThat(r.pages()).isEqualTo(2);
        assertThat(images(lake))
                .containsExactly("nasa:12345", "nasa:data-object", "nasa:good-1", "nasa:good-2", "nasa:redirect-ok");
        Map<String, String> q = quarantine(lake);
        assertThat(q)
                .containsEntry("nasa:file-link", "url_refused")
                .containsEntry("nasa:jar-link", "url_refused")
                .containsEntry("nasa:ftp-link", "url_refused")
                .containsEntry("nasa:metadata-host", "url_refused")
                .containsEntry("nasa:redirect-out", "url_refused")
                .containsEntry("nasa:redirect-file", "url_refused")
                .containsEntry("nasa:redirect-loop", "too_many_redirects")
                .containsEntry("nasa:truncated", "download_truncated");
        String pageUrl = api.base() + "/search?q=galaxy&media_type=image&page=1&page_size=100";
        assertThat(q)
                .containsEntry(pageUrl + "#item4", "bad_record")
                .containsEntry(pageUrl + "#item5", "bad_record")
                .containsEntry(pageUrl + "#item6", "bad_record");
        assertThat(q.values()).contains("page_loop");
        assertThat(q).hasSize(8 + 3 + 1);
        assertThat(api.hits("/raw/truncated")).isEqualTo(3); // retried: a short body is a network fault

        // a truncated download is not permanent: once the server sends it whole, a re-run lands it
        sent[0] = jpeg.length;
        ingest(lake, Map.of());
        assertThat(images(lake)).contains("nasa:truncated");
        assertThat(quarantine(lake)).doesNotContainKey("nasa:truncated");
    }

    @Test
    void aPageThatIsNotJsonIsQuarantinedAndWhatCameBeforeLands() throws Exception {
        api.image("/img/good.jpg", jpeg);
        api.pages(n -> n == 1
                ? page("%BASE%/search?q=galaxy&page=2", item("\"good-1\"", "%BASE%/img/good.jpg"))
                : "<html><body>502 Bad Gateway</body></html>");
        Path lake = tmp.resolve("lake");
        NasaIngestJob.Result r = ingest(lake, Map.of());
        assertThat(r.pages()).isEqualTo(1);
        assertThat(images(lake)).containsExactly("nasa:good-1");
        assertThat(quarantine(lake)).containsEntry(api.base() + "/search?q=galaxy&page=2", "bad_page");

        // the gateway recovers: a re-run reads the page, lands its item, and the page's row goes
        api.pages(n -> n == 1
                ? page("%BASE%/search?q=galaxy&page=2", item("\"good-1\"", "%BASE%/img/good.jpg"))
                : n == 2 ? page(null, item("\"good-2\"", "%BASE%/img/good.jpg")) : page(null));
        ingest(lake, Map.of());
        assertThat(images(lake)).containsExactly("nasa:good-1", "nasa:good-2");
        assertThat(quarantine(lake)).isEmpty();
    }

    @Test
    void anApiThatAnswersOnlyHtmlIsQuarantinedNotFatal() throws Exception {
        api.pages(n -> "<html>maintenance</html>");
        Path lake = tmp.resolve("lake");
        NasaIngestJob.Result r = ingest(lake, Map.of());
        assertThat(r.pages()).isZero();
        assertThat(quarantine(lake)).containsValue("bad_page");
    }

    @Test
    void nextLinksThatNeverEndStopAtThePageCap() throws Exception {
        api.image("/img/good.jpg", jpeg);
        api.pages(
                n -> page("%BASE%/search?q=galaxy&page=" + (n + 1), item("\"item-" + n + "\"", "%BASE%/img/good.jpg")));
        Path lake = tmp.resolve("lake");
        NasaIngestJob.Result r = ingest(lake, Map.of("nasa.page-cap", "5"));
        assertThat(r.pages()).isEqualTo(5);
        assertThat(images(lake)).hasSize(5);
    }

    @Test
    void idsMadeToBreakSqlRoundTripThroughQuarantineClearingAndSql() throws Exception {
        List<String> ids = List.of(
                "it's",
                "ends-with-backslash\\",
                "' OR '1'='1",
                "ünïcødé ✨ 星雲",
                "x -- comment",
                "/* c */ y",
                "a\\' OR 1=1 --");
        List<String> items = new java.util.ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String json = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                    .build()
                    .writeValueAsString(ids.get(i));
            items.add(item(json, "%BASE%/img/sql-" + i + ".jpg"));
            api.status("/img/sql-" + i + ".jpg", 404);
        }
        items.add(item("\"bystander\"", "%BASE%/img/missing.jpg")); // stays quarantined throughout
        api.pages(n -> n == 1 ? page(null, items.toArray(String[]::new)) : page(null));
        Path lake = tmp.resolve("lake");
        ingest(lake, Map.of());
        Map<String, String> q = quarantine(lake);
        for (String id : ids) {
            assertThat(q).containsEntry("nasa:" + id, "download_http_error");
        }

        for (int i = 0; i < ids.size(); i++) {
            api.image("/img/sql-" + i + ".jpg", jpeg);
        }
        ingest(lake, Map.of());
        q = quarantine(lake);
        assertThat(q).containsOnlyKeys("nasa:bystander"); // every recovered id cleared, and only those
        LakeLayout layout = new LakeLayout(lake.toString());
        for (String id : ids) {
            // the ids read back through SQL, as a value (a named parameter), never spliced into the text
            List<Row> rows = spark.sql(
                            "SELECT image_id FROM delta.`" + layout.location(LakeTable.IMAGES)
                                    + "` WHERE image_id = :id",
                            Map.of("id", "nasa:" + id))
                    .collectAsList();
            assertThat(rows).extracting(row -> row.getString(0)).containsExactly("nasa:" + id);
        }
    }
}

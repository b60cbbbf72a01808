package com.cosmicmorphology.ingest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.cli.Cosmic;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.testing.LocalS3;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.ingest.NasaSample;
import com.cosmicmorphology.testkit.replay.NasaReplayServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as users type it: exit codes and one-line errors, and sql output formats. */
class CliTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void spark() {
        SharedSpark.get();
    }

    record Run(int code, String out, String err) {}

    private Run run(String... args) {
        CommandLine cli = Cosmic.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        // commands print through picocli's writers: usage help and every command's output land here
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        int code = cli.execute(args);
        cli.getOut().flush();
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLine(Run r, ExitCode code, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(code.code());
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("cosmic: ").contains(fragments);
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertOneLine(run("ingest", "nasa", "--querry", "galaxy"), ExitCode.USAGE, "--querry");
    }

    @Test
    void badYamlIsAUsageError() throws Exception {
        Path conf = tmp.resolve("bad.yaml");
        Files.writeString(conf, "lake: [oops\n");
        assertOneLine(
                run("ingest", "folder", "--path", tmp.toString(), "--conf", conf.toString()),
                ExitCode.USAGE,
                "bad.yaml is not valid YAML");
    }

    @Test
    void unknownConfigKeyListsTheValidOnes() throws Exception {
        Path conf = tmp.resolve("c.yaml");
        Files.writeString(conf, "ingest:\n  batch: 3\n");
        assertOneLine(
                run("ingest", "folder", "--path", tmp.toString(), "--conf", conf.toString()),
                ExitCode.USAGE,
                "unknown config key 'ingest.batch'",
                "batch-size, folder-label-map, max-image-bytes");
    }

    @Test
    void unwritableLakeIsAStorageErrorAndWritesNothing() throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        Path folder = Files.createDirectories(tmp.resolve("imgs/galaxy"));
        Files.copy(
                Path.of("../data/sample/stellarium/galaxy")
                        .toAbsolutePath()
                        .normalize()
                        .resolve(Files.list(Path.of("../data/sample/stellarium/galaxy"))
                                .sorted()
                                .findFirst()
                                .orElseThrow()
                                .getFileName()),
                folder.resolve("g.jpg"));
        Run r = run("ingest", "folder", "--path", tmp.resolve("imgs").toString(), "--lake", file + "/lake");
        assertOneLine(r, ExitCode.STORAGE, "is not writable");
    }

    @Test
    void unreachableApiIsARemoteErrorWithNoPartialTable() {
        Path lake = tmp.resolve("lake");
        Run r = run(
                "ingest",
                "nasa",
                "--query",
                "galaxy",
                "--api-url",
                "http://127.0.0.1:1",
                "--lake",
                lake.toString(),
                "--set",
                "nasa.http.max-retries=0");
        assertOneLine(r, ExitCode.REMOTE, "NASA API failed", "127.0.0.1:1");
        assertThat(new LakeLayout(lake.toString()).exists(SharedSpark.get(), LakeTable.IMAGES))
                .isFalse();
        assertThat(new LakeLayout(lake.toString()).exists(SharedSpark.get(), LakeTable.NASA_ITEMS))
                .isFalse();
    }

    @Test
    void unreachableSparkMasterIsOneLineInSeconds() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        Run r = run(
                "sql",
                "select 1",
                "--master",
                "spark://127.0.0.1:" + port,
                "--lake",
                tmp.resolve("lake").toString());
        assertOneLine(
                r, ExitCode.REMOTE, "cannot reach the Spark master spark://127.0.0.1:" + port, "deploy/cluster-start");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(30); // Spark alone gives up after a minute
    }

    private static String[] s3Options(LocalS3 s3, String secret) {
        return new String[] {
            "--set",
            "s3.endpoint=" + s3.endpoint(),
            "--set",
            "s3.path-style-access=true",
            "--set",
            "s3.ssl-enabled=false",
            "--set",
            "s3.credentials-provider=org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            "--set",
            "spark.conf.spark.hadoop.fs.s3a.access.key=" + LocalS3.ACCESS_KEY,
            "--set",
            "spark.conf.spark.hadoop.fs.s3a.secret.key=" + secret
        };
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void wrongS3CredentialsAreOneLineWithoutTheSecret() throws Exception {
        try (LocalS3 s3 = new LocalS3("creds")) {
            Run r = run(concat(
                    new String[] {"sql", "select 1", "--lake", "s3a://creds/lake"}, s3Options(s3, "not-the-secret")));
            assertOneLine(r, ExitCode.STORAGE, "refused the credentials for s3a://creds/lake", "AWS_ACCESS_KEY_ID");
            assertThat(r.err()).doesNotContain("not-the-secret");
        } // the wrong secret the command wrote into the shared session's Hadoop conf: HadoopConfIsolation removes it
    }

    @Test
    void s3StoppedDuringIngestFailsInOneLineAndARerunCompletesWithNothingLostOrDoubled() throws Exception {
        try (LocalS3 s3 = new LocalS3("fault");
                NasaReplayServer nasa = NasaReplayServer.recordings(NasaSample.dir())) {
            String lake = "s3a://fault/lake";
            String[] ingest = concat(
                    new String[] {
                        "ingest",
                        "nasa",
                        "--query",
                        "galaxy",
                        "--query",
                        "galaxy cluster",
                        "--api-url",
                        nasa.baseUrl(),
                        "--lake",
                        lake,
                        "--set",
                        "ingest.batch-size=8"
                    },
                    s3Options(s3, LocalS3.SECRET_KEY));
            // the server goes away as soon as the first batch of images is committed (version 0 creates the table)
            s3.outageAfterWriting("fault", "lake/images/_delta_log/00000000000000000001.json");
            Run failed = run(ingest);
            s3.awaitOutage(java.time.Duration.ofSeconds(5)); // it happened during the run, not after it
            assertOneLine(failed, ExitCode.STORAGE, "the lake s3a://fault/lake is unreachable", "re-run");

            s3.restart();
            var spark = SharedSpark.get();
            LakeLayout layout = new LakeLayout(lake);
            long landed = layout.read(spark, LakeTable.IMAGES).count();
            assertThat(landed).isGreaterThan(0).isLessThan(NasaSample.GALAXY_ITEMS - 4); // stopped halfway
            // what was committed is whole: every row's bytes match its hash
            assertThat(layout.read(spark, LakeTable.IMAGES)
                            .where("sha2(content, 256) != content_sha256")
                            .count())
                    .isZero();

            Run again = run(ingest);
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(layout.read(spark, LakeTable.IMAGES).count()).isEqualTo(NasaSample.GALAXY_ITEMS - 4);
            assertThat(layout.read(spark, LakeTable.IMAGES)
                            .select("image_id")
                            .distinct()
                            .count())
                    .isEqualTo(NasaSample.GALAXY_ITEMS - 4);
            assertThat(layout.read(spark, LakeTable.NASA_ITEMS).count()).isEqualTo(NasaSample.GALAXY_ITEMS);
            assertThat(layout.read(spark, LakeTable.QUARANTINE).count()).isEqualTo(4);
        }
    }

    @Test
    void ingestThenSqlInEveryFormat() {
        Path lake = tmp.resolve("lake");
        try (NasaReplayServer server = NasaReplayServer.recordings(NasaSample.dir())) {
            Run ingest = run(
                    "ingest",
                    "nasa",
                    "--query",
                    "galaxy cluster",
                    "--api-url",
                    server.baseUrl(),
                    "--lake",
                    lake.toString());
            assertThat(ingest.code()).as(ingest.err()).isZero();
            assertThat(ingest.out()).contains("6 new images");
        }
        Run csv = run(
                "sql",
                "SELECT label, count(*) AS n FROM images GROUP BY label",
                "--format",
                "csv",
                "--lake",
                lake.toString());
        assertThat(csv.code()).as(csv.err()).isZero();
        assertThat(csv.out().lines()).containsExactly("label,n", "galaxy_cluster,6");

        Run json = run(
                "sql",
                "SELECT nasa_id, queries FROM nasa_items WHERE nasa_id = 'STL-coma_cluster'",
                "--format",
                "json",
                "--lake",
                lake.toString());
        assertThat(json.out().strip()).isEqualTo("{\"nasa_id\":\"STL-coma_cluster\",\"queries\":[\"galaxy cluster\"]}");

        Run table = run("sql", "SELECT count(*) AS n FROM images", "--lake", lake.toString());
        assertThat(table.out()).contains("|n  |").contains("|6  |");

        Run bad = run("sql", "SELECT * FROM nope", "--lake", lake.toString());
        assertOneLine(bad, ExitCode.USAGE, "query failed", "tables: images, nasa_items, quarantine");
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : new String[][] {
            {"--help"},
            {"ingest", "--help"},
            {"ingest", "nasa", "--help"},
            {"ingest", "folder", "--help"},
            {"sql", "--help"},
            {"bench", "--help"},
            {"bench", "ingest", "--help"}
        }) {
            Run r = run(args);
            assertThat(r.code()).as(String.join(" ", args) + r.err()).isZero();
        }
        assertUsage(Cosmic.commandLine());
    }

    private static void assertUsage(CommandLine cmd) {
        assertThat(cmd.getUsageMessage())
                .as(cmd.getCommandName())
                .contains("Usage: " + cmd.getCommandSpec().qualifiedName())
                .contains("--help");
        cmd.getSubcommands().values().forEach(CliTest::assertUsage);
    }
}

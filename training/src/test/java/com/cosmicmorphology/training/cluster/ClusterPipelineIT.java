package com.cosmicmorphology.training.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.cli.Cosmic;
import com.cosmicmorphology.common.config.ConfigLoader;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.common.spark.SparkSessions;
import com.cosmicmorphology.common.testing.LocalS3;
import com.cosmicmorphology.testkit.replay.NasaReplayServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole distributed path, as users run it: a real standalone cluster (deploy/cluster-start: a master and
 * two workers, each its own JVM) and a real S3 server (S3Proxy) on loopback; the jobs' commands with
 * {@code --master spark://...} and an {@code s3a://} lake; NASA ingest from the replay server, folder ingest,
 * clean, split, prepare, then training with dl4j-spark on the executors and evaluation. Executors run the
 * spark-submit jars of the build. Everything started here is stopped by PID, also when the test fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterPipelineIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String VERSION = "0.1.0-SNAPSHOT";
    static final String[] CLASSES = {"galaxy", "globular_cluster", "planetary_nebula"};

    @TempDir
    static Path tmp;

    private Path clusterDir;
    private String master;
    private LocalS3 s3;
    private NasaReplayServer nasa;
    private SparkSession spark;
    private final Set<Integer> dl4jStages = ConcurrentHashMap.newKeySet();
    private final Set<String> dl4jExecutors = ConcurrentHashMap.newKeySet();
    private final Set<String> allExecutors = ConcurrentHashMap.newKeySet();
    private final Set<Integer> featureStages = ConcurrentHashMap.newKeySet();
    private final Set<String> featureExecutors = ConcurrentHashMap.newKeySet();
    private final Set<Integer> fineTuneStages = ConcurrentHashMap.newKeySet();
    private final Set<String> fineTuneExecutors = ConcurrentHashMap.newKeySet();
    private final Set<Integer> scoringStages = ConcurrentHashMap.newKeySet();
    private final Set<String> scoringExecutors = ConcurrentHashMap.newKeySet();
    private final List<String> common = new ArrayList<>();

    @BeforeAll
    void startCluster() throws Exception {
        clusterDir = tmp.resolve("cluster");
        int port = freePort();
        int webui = freePort();
        master = "spark://127.0.0.1:" + port;
        Process p = new ProcessBuilder(
                        ROOT.resolve("deploy/cluster-start").toString(),
                        "--workers",
                        "2",
                        "--cores",
                        "1",
                        "--memory",
                        "1g",
                        "--port",
                        Integer.toString(port),
                        "--webui-port",
                        Integer.toString(webui),
                        "--dir",
                        clusterDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("cluster-start.log").toFile())
                .start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        assertThat(done && p.exitValue() == 0)
                .as(Files.readString(tmp.resolve("cluster-start.log")))
                .isTrue();
        s3 = new LocalS3("lake");
        nasa = NasaReplayServer.recordings(ROOT.resolve("ingest/src/test/resources/nasa-sample"));
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (clusterDir == null) {
            return;
        }
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> f = Files.list(clusterDir.resolve("run"))) {
            for (Path pid : f.filter(x -> x.toString().endsWith(".pid")).toList()) { // *.id: their start times
                pids.add(Long.parseLong(Files.readString(pid).strip()));
            }
        } catch (IOException e) {
            // nothing was started
        }
        try {
            if (spark != null) {
                spark.stop();
            }
            if (nasa != null) {
                nasa.close();
            }
            if (s3 != null) {
                s3.close();
            }
        } finally {
            Process stop = new ProcessBuilder(
                            ROOT.resolve("deploy/cluster-stop").toString(), "--dir", clusterDir.toString())
                    .inheritIO()
                    .start();
            assertThat(stop.waitFor(2, TimeUnit.MINUTES)).isTrue();
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("PID " + pid)
                        .isFalse();
            }
        }
    }

    @Test
    void ingestSplitAndDistributedTrainingOnAStandaloneClusterWithAnS3Lake() throws Exception {
        String lakeRoot = "s3a://lake/cosmic";
        Map<String, String> settings = new LinkedHashMap<>(s3.s3aSettings());
        settings.put("lake.root", lakeRoot);
        settings.put("spark.master", master);
        settings.put("nasa.api-url", nasa.baseUrl());
        // the executors get the build's spark-submit jars, as spark-submit would ship them
        settings.put(
                "spark.conf.spark.jars",
                String.join(",", sparkJar("training"), sparkJar("ingest"), sparkJar("processing")));
        settings.put("spark.conf.spark.driver.host", "127.0.0.1");
        settings.put("spark.conf.spark.executor.memory", "900m");
        settings.put("spark.shuffle-partitions", "4");
        CosmicConfig config = new ConfigLoader().load(null, Map.of(), settings);
        spark = SparkSessions.getOrCreate(config, null);
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onStageSubmitted(SparkListenerStageSubmitted e) {
                if (e.stageInfo().details().contains("org.deeplearning4j.spark")) {
                    dl4jStages.add(e.stageInfo().stageId());
                }
                if (e.properties() != null
                        && com.cosmicmorphology.training.features.ExecutorFeatures.STAGE.equals(e.properties()
                                .getProperty(com.cosmicmorphology.training.features.ExecutorFeatures.STAGE_PROPERTY))) {
                    featureStages.add(e.stageInfo().stageId());
                }
                if (e.properties() != null
                        && com.cosmicmorphology.training.eval.FineTunedOnExecutors.STAGE.equals(e.properties()
                                .getProperty(com.cosmicmorphology.training.features.ExecutorFeatures.STAGE_PROPERTY))) {
                    scoringStages.add(e.stageInfo().stageId());
                }
                if (e.properties() != null
                        && com.cosmicmorphology.training.distributed.SparkFineTuneTrainer.STAGE.equals(e.properties()
                                .getProperty(com.cosmicmorphology.training.features.ExecutorFeatures.STAGE_PROPERTY))) {
                    fineTuneStages.add(e.stageInfo().stageId());
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                allExecutors.add(e.taskInfo().executorId());
                if (dl4jStages.contains(e.stageId())) {
                    dl4jExecutors.add(e.taskInfo().executorId());
                }
                if (featureStages.contains(e.stageId())) {
                    featureExecutors.add(e.taskInfo().executorId());
                }
                if (scoringStages.contains(e.stageId())) {
                    scoringExecutors.add(e.taskInfo().executorId());
                }
                if (fineTuneStages.contains(e.stageId())) {
                    fineTuneExecutors.add(e.taskInfo().executorId());
                }
            }
        });

        common.addAll(List.of("--lake", lakeRoot, "--master", master));
        Map<String, String> set = new LinkedHashMap<>(settings);
        set.remove("lake.root");
        set.remove("spark.master");
        set.keySet().removeIf(k -> k.contains("access.key") || k.contains("secret.key")); // already in the session
        set.putAll(Map.of(
                "training.input-size",
                "96",
                "training.feature-views",
                "2",
                "training.epochs",
                "40",
                "training.patience",
                "15",
                "training.keras-model",
                ROOT.resolve("models/mobilenet_v2_imagenet_block10_features.h5").toString(),
                "inputs.policy",
                "center-crop"));
        set.forEach((k, v) -> common.addAll(List.of("--set", k + "=" + v)));

        Path folder = sample();
        Path model = tmp.resolve("model");
        run("ingest", "folder", "--path", folder.toString());
        run("ingest", "nasa", "--query", "galaxy cluster");
        run("clean");
        run("split", "--seed", "7");
        run("prepare", "--size", "96");
        long driverPasses = com.cosmicmorphology.training.features.FeatureStore.driverPasses();
        run("train", "--model-dir", model.toString());
        run("evaluate", "--model-dir", model.toString());
        run("predict", "--model-dir", model.toString());

        // every backbone pass of train, evaluate and predict --lake ran on the executors, in both executor JVMs
        // (predict's uncurated NASA images, which have no model inputs, decoded there too); none in the driver
        assertThat(com.cosmicmorphology.training.features.FeatureStore.driverPasses())
                .isEqualTo(driverPasses);
        assertThat(featureStages).isNotEmpty();
        assertThat(featureExecutors).doesNotContain("driver").hasSizeGreaterThanOrEqualTo(2);

        // tasks ran in two executor JVMs, and dl4j-spark's training tasks on both
        allExecutors.remove("driver");
        assertThat(allExecutors).hasSizeGreaterThanOrEqualTo(2);
        assertThat(dl4jStages).isNotEmpty();
        assertThat(dl4jExecutors).hasSizeGreaterThanOrEqualTo(2);
        assertThat(model.resolve("metadata.json"))
                .content()
                .contains("\"engine\" : \"spark\"")
                .contains("\"workers\" : 2")
                .contains(master);

        // the tables are complete: every file and NASA item is an image or a quarantine row, each split row is
        // an included curated image, every included image has model inputs
        LakeLayout lake = new LakeLayout(lakeRoot);
        long images = lake.read(spark, LakeTable.IMAGES).count();
        long quarantined = lake.read(spark, LakeTable.QUARANTINE).count();
        assertThat(lake.read(spark, LakeTable.IMAGES).where("source = 'folder'").count())
                .isEqualTo(3 * 20);
        assertThat(lake.read(spark, LakeTable.IMAGES).where("source = 'nasa'").count() + quarantined)
                .isEqualTo(lake.read(spark, LakeTable.NASA_ITEMS).count());
        assertThat(lake.read(spark, LakeTable.IMAGES)
                        .select("image_id")
                        .distinct()
                        .count())
                .isEqualTo(images);
        long curated = lake.read(spark, LakeTable.CURATED_IMAGES).count();
        long included =
                lake.read(spark, LakeTable.CURATED_IMAGES).where("included").count();
        assertThat(curated).isEqualTo(images);
        assertThat(lake.read(spark, LakeTable.SPLITS).count()).isEqualTo(curated);
        assertThat(lake.read(spark, LakeTable.SPLITS).where("included").count()).isEqualTo(included);
        assertThat(lake.read(spark, LakeTable.MODEL_INPUTS)
                        .where("error IS NULL")
                        .count())
                .isGreaterThanOrEqualTo(included);

        // predict --lake scored every image of the lake (each decodes: ingest checked), one row per image and model
        assertThat(lake.read(spark, LakeTable.PREDICTIONS).count()).isEqualTo(images);
        assertThat(lake.read(spark, LakeTable.PREDICTIONS)
                        .join(lake.read(spark, LakeTable.SPLITS).where("included"), "image_id")
                        .count())
                .isEqualTo(included);

        // the model beats the majority class on its held-out test split
        List<Row> test = lake.read(spark, LakeTable.SPLITS)
                .where("split = 'test' AND included")
                .groupBy("label")
                .count()
                .orderBy(org.apache.spark.sql.functions.desc("count"))
                .collectAsList();
        long testImages = test.stream().mapToLong(r -> r.getLong(1)).sum();
        double majority = (double) test.get(0).getLong(1) / testImages;
        double accuracy = lake.read(spark, LakeTable.METRICS)
                .where("split = 'test' AND metric = 'accuracy' AND class IS NULL")
                .first()
                .getDouble(lake.read(spark, LakeTable.METRICS).schema().fieldIndex("value"));
        assertThat(accuracy).as("test accuracy vs majority class " + majority).isGreaterThan(majority);

        // fine-tuning on the cluster (a few short epochs): the backbone's last block and the head train in dl4j-spark
        // tasks on both executor JVMs over pixels the executors read, validation is scored there too; evaluate and
        // predict score the fine-tuned network on the executors as well; the driver runs no pass of it throughout
        Path tuned = tmp.resolve("model-fine-tuned");
        long tunedDriverPasses = com.cosmicmorphology.training.head.FineTuneTrainer.driverPasses();
        run(
                "train",
                "--model-dir",
                tuned.toString(),
                "--mode",
                "fine-tune",
                "--epochs",
                "6",
                "--set",
                "training.batch-size=8",
                "--set",
                "training.patience=6");
        spark.sparkContext().listenerBus().waitUntilEmpty();
        assertThat(com.cosmicmorphology.training.head.FineTuneTrainer.driverPasses())
                .isEqualTo(tunedDriverPasses);
        assertThat(fineTuneStages).isNotEmpty();
        assertThat(fineTuneExecutors).doesNotContain("driver").hasSizeGreaterThanOrEqualTo(2);
        assertThat(tuned.resolve("network.zip")).isRegularFile();
        assertThat(tuned.resolve("metadata.json"))
                .content()
                .contains("\"mode\" : \"fine-tune\"")
                .contains("\"engine\" : \"spark\"")
                .contains("\"workers\" : 2")
                .contains(master);
        String tunedId = (String) new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(tuned.resolve("metadata.json").toFile(), Map.class)
                .get("model_id");
        run("evaluate", "--model-dir", tuned.toString());
        run("predict", "--model-dir", tuned.toString());
        spark.sparkContext().listenerBus().waitUntilEmpty();
        assertThat(com.cosmicmorphology.training.head.FineTuneTrainer.driverPasses())
                .isEqualTo(tunedDriverPasses);
        assertThat(scoringExecutors).doesNotContain("driver").hasSizeGreaterThanOrEqualTo(2);
        double tunedAccuracy = lake.read(spark, LakeTable.METRICS)
                .where("model_id = '" + tunedId + "' AND split = 'test' AND metric = 'accuracy' AND class IS NULL")
                .first()
                .getDouble(lake.read(spark, LakeTable.METRICS).schema().fieldIndex("value"));
        assertThat(tunedAccuracy)
                .as("fine-tuned test accuracy vs majority class " + majority)
                .isGreaterThan(majority);
        assertThat(lake.read(spark, LakeTable.PREDICTIONS)
                        .where("model_id = '" + tunedId + "'")
                        .count())
                .isEqualTo(images);
    }

    /** One command through the same entry point as ./cosmic and spark-submit; it must succeed. */
    private void run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(common);
        assertThat(Cosmic.run(all.toArray(new String[0])))
                .as(String.join(" ", args))
                .isZero();
    }

    private static String sparkJar(String module) {
        Path jar = ROOT.resolve(module).resolve("target").resolve("cosmic-" + module + "-" + VERSION + "-spark.jar");
        assertThat(jar).as("run 'mvn package' first").isRegularFile();
        return jar.toString();
    }

    /** 20 photographs of each of three classes from the bundled sample, as a labelled folder. */
    private Path sample() throws IOException {
        Path dir = tmp.resolve("folder");
        for (String c : CLASSES) {
            Files.createDirectories(dir.resolve(c));
            try (Stream<Path> s =
                    Files.list(ROOT.resolve("data/sample/stellarium").resolve(c))) {
                for (Path f : s.sorted().limit(20).toList()) {
                    Files.copy(f, dir.resolve(c).resolve(f.getFileName()));
                }
            }
        }
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

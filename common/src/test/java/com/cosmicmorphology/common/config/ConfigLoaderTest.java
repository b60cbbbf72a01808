package com.cosmicmorphology.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void defaultsAloneGiveALocalLake() {
        CosmicConfig c = loader.load(null, Map.of(), Map.of());
        assertThat(c.lake().root()).isEqualTo("./lake");
        assertThat(c.spark().master()).isEqualTo("local[*]");
        assertThat(c.nasa().labelPolicy()).isEqualTo(LabelPolicy.MOST_SPECIFIC);
        assertThat(c.nasa().queries()).contains("galaxy", "galaxy cluster");
    }

    @Test
    void optionBeatsEnvironmentBeatsFileBeatsDefault(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "lake:\n  root: /from/file\nnasa:\n  page-size: 7\n  http:\n    concurrency: 3\n");
        Map<String, String> env = Map.of("COSMIC_LAKE_ROOT", "/from/env", "COSMIC_NASA_HTTP_CONCURRENCY", "5");
        CosmicConfig c = loader.load(f, env, Map.of("lake.root", "/from/option"));
        assertThat(c.lake().root()).isEqualTo("/from/option");
        assertThat(c.nasa().http().concurrency()).isEqualTo(5);
        assertThat(c.nasa().pageSize()).isEqualTo(7);
        assertThat(c.nasa().http().maxRetries()).isEqualTo(5); // default
        assertThat(loader.load(f, env, Map.of()).lake().root()).isEqualTo("/from/env");
        assertThat(loader.load(f, Map.of(), Map.of()).lake().root()).isEqualTo("/from/file");
    }

    @Test
    void listsAndFreeMapsFromOptions() {
        CosmicConfig c = loader.load(
                null,
                Map.of("COSMIC_NASA_QUERIES", "galaxy, nebula"),
                Map.of(
                        "spark.conf.spark.executor.memory",
                        "2g",
                        "nasa.label-map.nebula",
                        "emission_reflection_nebula"));
        assertThat(c.nasa().queries()).containsExactly("galaxy", "nebula");
        assertThat(c.spark().conf()).containsEntry("spark.executor.memory", "2g");
        assertThat(c.nasa().labelMap()).containsEntry("nebula", "emission_reflection_nebula");
    }

    @Test
    void unknownKeyInFileNamesTheKeyAndTheValidOnes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "nasa:\n  http:\n    concurency: 4\n");
        assertThatThrownBy(() -> loader.load(f, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown config key 'nasa.http.concurency'")
                .hasMessageContaining("concurrency")
                .hasMessageContaining("max-retries");
    }

    @Test
    void unknownKeyFromOptionIsRejected() {
        assertThatThrownBy(() -> loader.load(null, Map.of(), Map.of("lake.rot", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'lake.rot'")
                .hasMessageContaining("root");
    }

    @Test
    void badEnumListsValidValues() {
        assertThatThrownBy(() -> loader.load(null, Map.of(), Map.of("nasa.label-policy", "longest")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("longest")
                .hasMessageContaining("most-specific, first-alphabetical, quarantine");
    }

    @Test
    void theTrainingEnumsNameTheSettingAndListTheirValues() {
        Map<String, String> bad = Map.of(
                "training.mode", "fine-tuned", "training.backbone", "resnet-50", "training.distributed.engine", "yarn");
        Map<String, String> valid = Map.of(
                "training.mode",
                "frozen, fine-tune",
                "training.backbone",
                "keras-h5, resnet50, squeezenet, efficientnet-b0",
                "training.distributed.engine",
                "auto, local, spark");
        bad.forEach((key, value) -> assertThatThrownBy(() -> loader.load(null, Map.of(), Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .hasMessageContaining("'" + value + "'")
                .hasMessageContaining(valid.get(key)));
        CosmicConfig c = loader.load(
                null,
                Map.of(),
                Map.of(
                        "training.mode",
                        "fine-tune",
                        "training.backbone",
                        "resnet50",
                        "training.distributed.engine",
                        "spark"));
        assertThat(c.training().mode()).isEqualTo(TrainingMode.FINE_TUNE);
        assertThat(c.training().backbone()).isEqualTo(BackboneKind.RESNET50);
        assertThat(c.training().distributed().engine()).isEqualTo(DistributedEngine.SPARK);
    }

    @Test
    void badTypeNamesTheKey() {
        assertThatThrownBy(() -> loader.load(null, Map.of("COSMIC_NASA_HTTP_CONCURRENCY", "many"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nasa.http.concurrency")
                .hasMessageContaining("whole number");
    }

    @Test
    void outOfRangeNamesTheRange() {
        assertThatThrownBy(() -> loader.load(null, Map.of(), Map.of("nasa.http.concurrency", "0")))
                .hasMessageContaining("nasa.http.concurrency must be between 1 and 256, got 0");
    }

    @Test
    void badYamlSaysWhere(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "lake:\n  root: [unclosed\n");
        assertThatThrownBy(() -> loader.load(f, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid YAML")
                .hasMessageContaining("line");
    }

    @Test
    void s3SchemeTypoIsCaught() {
        assertThatThrownBy(() -> loader.load(null, Map.of(), Map.of("lake.root", "s3://bucket/lake")))
                .hasMessageContaining("use s3a://");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> loader.load(Path.of("/nope/x.yaml"), Map.of(), Map.of()))
                .hasMessageContaining("/nope/x.yaml does not exist");
    }

    @Test
    void shippedConfFilesLoad() {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(loader.load(root.resolve("conf/local.yaml"), Map.of(), Map.of())
                        .lake()
                        .root())
                .isEqualTo("./lake");
        assertThat(loader.load(root.resolve("conf/cluster.yaml"), Map.of(), Map.of())
                        .lake()
                        .root())
                .startsWith("s3a://");
    }

    @Test
    void aLabelMapIntoAClassTheModelDoesNotHaveIsRefusedListingTheClasses() {
        assertThatThrownBy(() -> new ConfigLoader()
                        .load(
                                null,
                                Map.of(),
                                Map.of(
                                        "clean.classes",
                                        "galaxy,dark_nebula",
                                        "ingest.folder-label-map.nebula",
                                        "nebulae")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ingest.folder-label-map maps 'nebula' to 'nebulae'")
                .hasMessageContaining("valid: galaxy, dark_nebula");
        assertThatThrownBy(() -> new ConfigLoader().load(null, Map.of(), Map.of("clean.classes", "Galaxy")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'galaxy'");
    }
}

package com.cosmicmorphology.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A metadata.json that does not describe its network is refused, one field named per error. */
class ModelMetadataCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private int n;

    /** A saved tiny model whose metadata.json was then edited. */
    @SuppressWarnings("unchecked")
    private Path edited(Consumer<Map<String, Object>> edit) throws Exception {
        Path dir = tmp.resolve("m" + n++);
        TinyModels.save(dir, "m", 1);
        Map<String, Object> m =
                JSON.readValue(dir.resolve(ModelStore.METADATA_FILE).toFile(), Map.class);
        edit.accept(m);
        JSON.writeValue(dir.resolve(ModelStore.METADATA_FILE).toFile(), m);
        return dir;
    }

    private void refused(Consumer<Map<String, Object>> edit, String field, String why) throws Exception {
        Path dir = edited(edit);
        assertThatThrownBy(() -> ModelStore.load(dir))
                .as(field)
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("field '" + field + "'")
                .hasMessageContaining(why)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("re-train");
    }

    @Test
    void aModelFileThatIsNotAPlainNameInsideTheDirectoryIsRefused() throws Exception {
        Files.writeString(tmp.resolve("x"), "outside the model directory");
        for (String name : new String[] {
            "../x", "..", "/etc/passwd", "sub/head.zip", "..\\head.zip", "C:head.zip", "head.zip\n", ""
        }) {
            refused(m -> m.put("model_file", name), "model_file", "plain file name");
        }
        refused(m -> m.put("model_file", 7), "model_file", "plain file name");
        // a plain name, but not the file this mode saves
        refused(m -> m.put("model_file", "other.zip"), "model_file", "saved as head.zip");
    }

    @Test
    void aClassListThatDoesNotMatchTheNetworkOutputsIsRefused() throws Exception {
        refused(m -> m.put("classes", List.of("a", "b", "c", "d")), "classes", "the network has 3 outputs");
        refused(m -> m.put("classes", List.of("a", "b")), "classes", "the network has 3 outputs");
        refused(m -> m.put("classes", List.of("a", "a", "b")), "classes", "distinct");
        refused(m -> m.remove("classes"), "classes", "is missing");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMissingBackboneHashIsRefused() throws Exception {
        refused(m -> ((Map<String, Object>) m.get("backbone")).remove("sha256"), "backbone.sha256", "is missing");
        refused(
                m -> ((Map<String, Object>) m.get("backbone")).put("sha256", "0000"),
                "backbone.sha256",
                "not a SHA-256");
        // a zoo backbone with ImageNet weights comes from a file too
        refused(
                m -> {
                    Map<String, Object> b = (Map<String, Object>) m.get("backbone");
                    b.clear();
                    b.put("type", "resnet50");
                    b.put("pretrained", "imagenet");
                },
                "backbone.sha256",
                "is missing");
    }

    @Test
    void sizesAndCountsThatWouldAllocateWithoutBoundAreRefused() throws Exception {
        refused(m -> m.put("input_size", 1_000_000), "input_size", "from 1 to 4096");
        refused(m -> m.put("feature_views", 0), "feature_views", "from 1 to 8");
        refused(m -> m.put("standardiser_mean", List.of(0.0, 0.0)), "standardiser_std", "has 4 values");
        refused(m -> m.put("mode", "anything"), "mode", "frozen, fine-tune");
    }

    @Test
    void theMetadataTrainWritesPasses() throws Exception {
        assertThat(ModelStore.load(edited(m -> {})).classes()).containsExactly("a", "b", "c");
    }
}

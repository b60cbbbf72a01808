package com.cosmicmorphology.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A save that fails or dies at any step leaves a whole, loadable model: the old one until the new is complete. */
class ModelStoreSaveTest {
    @TempDir
    Path tmp;

    /** The process dying mid-save. */
    static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;
    }

    private static void assertHolds(Path dir, String id, MultiLayerNetwork net) {
        ModelStore.Loaded loaded = ModelStore.load(dir);
        assertThat(loaded.modelId()).isEqualTo(id);
        assertThat(loaded.net().params()).isEqualTo(net.params());
    }

    private static List<String> siblings(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.getParent())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSaveThatFailsMidWriteLeavesTheOldModel() throws Exception {
        Path dir = tmp.resolve("model");
        MultiLayerNetwork old = TinyModels.save(dir, "old", 1);
        Map<String, Object> meta = TinyModels.metadata("new", List.of("a", "b", "c"));
        meta.put("unwritable", new Object()); // Jackson fails on it after the network file is written
        assertThatThrownBy(() -> ModelStore.save(dir, TinyModels.head(3, 2), meta))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("previous model there, if any, is unchanged");
        assertHolds(dir, "old", old);
        assertThat(siblings(dir)).containsExactly("model"); // no staging directory left behind
    }

    @Test
    void aSaveWhoseFinalRenameFailsLeavesTheOldModel() throws Exception {
        Path dir = tmp.resolve("model");
        MultiLayerNetwork old = TinyModels.save(dir, "old", 1);
        ModelDirSwap failingSwap = new ModelDirSwap((from, to) -> {
            if (from.getFileName().toString().contains(".saving-")) {
                throw new IOException("simulated: rename failed");
            }
            Files.move(from, to);
        });
        assertThatThrownBy(() -> ModelStore.save(
                        dir, TinyModels.head(3, 2), TinyModels.metadata("new", List.of("a", "b", "c")), failingSwap))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("simulated: rename failed");
        assertHolds(dir, "old", old);
        assertThat(siblings(dir)).containsExactly("model");
    }

    @Test
    void aSaveKilledBetweenItsTwoRenamesStillLeavesTheOldModelLoadable() throws Exception {
        Path dir = tmp.resolve("model");
        MultiLayerNetwork old = TinyModels.save(dir, "old", 1);
        // an Error stands for the process dying: nothing after the first rename runs, no rollback
        ModelDirSwap dying = new ModelDirSwap((from, to) -> {
            if (from.getFileName().toString().contains(".saving-")) {
                throw new SimulatedCrash();
            }
            Files.move(from, to);
        });
        assertThatThrownBy(() -> ModelStore.save(
                        dir, TinyModels.head(3, 2), TinyModels.metadata("new", List.of("a", "b", "c")), dying))
                .isInstanceOf(SimulatedCrash.class);
        assertThat(dir).doesNotExist();
        assertHolds(dir, "old", old); // read from where the save kept it
        // the next save puts things straight
        MultiLayerNetwork next = TinyModels.save(dir, "next", 3);
        assertHolds(dir, "next", next);
        assertThat(siblings(dir)).containsExactly("model");
    }

    @Test
    void aSuccessfulSaveReplacesTheModelAndItsOldCharts() throws Exception {
        Path dir = tmp.resolve("model");
        TinyModels.save(dir, "old", 1);
        Files.write(dir.resolve("confusion_test.png"), new byte[] {1});
        MultiLayerNetwork next = TinyModels.save(dir, "new", 2);
        assertHolds(dir, "new", next);
        assertThat(dir.resolve("confusion_test.png")).doesNotExist(); // it charted the old model
        assertThat(siblings(dir)).containsExactly("model");
    }

    @Test
    void theReplacedDirectoryKeepsItsPermissions() throws Exception {
        Path dir = tmp.resolve("shared");
        TinyModels.save(dir, "first", 1);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwxr-xr-x"); // not the private mode of a temporary directory
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        TinyModels.save(dir, "second", 2);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwxr-x---");
    }

    @Test
    void aDirectoryHoldingOtherFilesIsNotReplaced() throws Exception {
        Path dir = tmp.resolve("home");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("thesis.tex"), "years of work");
        assertThatThrownBy(() -> TinyModels.save(dir, "m", 1))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("thesis.tex")
                .hasMessageContaining("empty or new directory");
        assertThat(dir.resolve("thesis.tex")).hasContent("years of work");
    }

    @Test
    void aModelDirThatIsAFileIsNotReplaced() throws Exception {
        Path file = tmp.resolve("notes.txt");
        Files.writeString(file, "keep me");
        assertThatThrownBy(() -> TinyModels.save(file, "m", 1))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("is a file");
        assertThat(file).hasContent("keep me");
    }

    @Test
    void twoModelsMadeInTheSameSecondGetDifferentIdsThatSortInOrder() {
        Instant second = Instant.parse("2024-05-01T10:15:02Z");
        ModelIds jvm = new ModelIds();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(jvm.next("keras_x_96", second));
        }
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).isSorted();
        assertThat(ids.get(0)).matches("keras_x_96-20240501T101502\\d{3}-[0-9a-f]{4}");
        assertThat(jvm.next("keras_x_96")).isGreaterThan(ids.get(ids.size() - 1));
        // another JVM (another machine) in the same millisecond: the random part keeps the ids apart
        List<String> machines = Stream.generate(() -> new ModelIds().next("keras_x_96", second))
                .limit(20)
                .toList();
        assertThat(machines).allMatch(id -> id.startsWith("keras_x_96-20240501T101502000-"));
        assertThat(new java.util.HashSet<>(machines)).hasSizeGreaterThan(1);
    }
}

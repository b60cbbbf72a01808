package com.cosmicmorphology.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.cli.CosmicException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Model files are opened only when they hold nothing but what ModelSerializer writes, at sane sizes. */
class ModelArchiveCheckTest {
    @TempDir
    Path tmp;

    /** Stands for a deserialization gadget: records that Java deserialization reached it. */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean FIRED = new AtomicBoolean();

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            FIRED.set(true);
        }
    }

    private Path savedModel(String name) {
        Path dir = tmp.resolve(name);
        TinyModels.save(dir, name, 1);
        return dir;
    }

    /** Rewrites the model file of {@code dir} with {@code entries}. */
    private static Path rewrite(Path dir, Map<String, byte[]> entries) throws IOException {
        Path head = dir.resolve(ModelStore.MODEL_FILE);
        Files.write(head, TinyModels.zip(entries));
        return head;
    }

    @Test
    void aPreprocessorEntryIsRefusedBeforeAnythingIsDeserialized() throws Exception {
        Path dir = savedModel("preprocessor");
        Map<String, byte[]> entries = TinyModels.entries(dir.resolve(ModelStore.MODEL_FILE));
        ByteArrayOutputStream gadget = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(gadget)) {
            o.writeObject(new Tripwire());
        }
        entries.put("preprocessor.bin", gadget.toByteArray());
        Path head = rewrite(dir, entries);
        Tripwire.FIRED.set(false);

        assertThatThrownBy(() -> ModelStore.load(dir))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining(head.toString())
                .hasMessageContaining("'preprocessor.bin'")
                .hasMessageContaining("deserialize")
                .hasMessageContaining("re-train")
                .hasNoCause();
        assertThat(Tripwire.FIRED).isFalse();

        // the threat is real: DL4J itself, given the same file, runs the object's readObject
        try {
            ModelSerializer.restoreMultiLayerNetwork(head.toFile(), false);
        } catch (Exception expected) {
            // DL4J fails after deserializing (a Tripwire is not a preprocessor); what matters is that it ran
        }
        assertThat(Tripwire.FIRED).isTrue();
    }

    @Test
    void anyEntryOutsideWhatModelSerializerWritesIsRefusedByName() throws Exception {
        for (String extra : new String[] {
            "normalizer.bin", "evil.class", "../coefficients.bin", "META-INF/", "Coefficients.bin", "coefficients.bin/"
        }) {
            Path dir = savedModel("extra" + Math.abs(extra.hashCode()));
            Map<String, byte[]> entries = TinyModels.entries(dir.resolve(ModelStore.MODEL_FILE));
            entries.put(extra, new byte[] {1, 2, 3});
            rewrite(dir, entries);
            assertThatThrownBy(() -> ModelStore.load(dir))
                    .as(extra)
                    .isInstanceOf(CosmicException.class)
                    .hasMessageContaining("'" + extra + "'")
                    .hasMessageContaining("coefficients.bin, configuration.json");
        }
    }

    @Test
    void aDuplicateEntryIsRefused() throws Exception {
        Path dir = savedModel("duplicate");
        Map<String, byte[]> entries = TinyModels.entries(dir.resolve(ModelStore.MODEL_FILE));
        Map<String, byte[]> withTwin = new LinkedHashMap<>(entries);
        withTwin.put("coefficientX.bin", entries.get(ModelArchiveCheck.COEFFICIENTS));
        // ZipOutputStream refuses duplicate names, so the twin is renamed in place (local and central headers)
        String zip = new String(TinyModels.zip(withTwin), StandardCharsets.ISO_8859_1)
                .replace("coefficientX.bin", "coefficients.bin");
        Files.write(dir.resolve(ModelStore.MODEL_FILE), zip.getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ModelStore.load(dir))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("'coefficients.bin' twice");
    }

    @Test
    void aFileThatIsNotAZipOrIsCutShortIsOneClearError() throws Exception {
        Path dir = savedModel("broken");
        Path head = dir.resolve(ModelStore.MODEL_FILE);
        byte[] whole = Files.readAllBytes(head);
        Files.writeString(head, "not a model at all");
        assertThatThrownBy(() -> ModelStore.load(dir))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining(head.toString())
                .hasMessageContaining("no configuration.json");
        Files.write(head, java.util.Arrays.copyOf(whole, whole.length * 2 / 3));
        assertThatThrownBy(() -> ModelStore.load(dir))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining(head.toString())
                .hasMessageContaining("re-train");
        Files.write(head, new byte[0]);
        assertThatThrownBy(() -> ModelStore.load(dir))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining(head.toString());
    }

    @Test
    void aZipBombIsRefusedByWhatItUnpacksToNotByWhatItClaims() throws Exception {
        Path dir = savedModel("bomb");
        Map<String, byte[]> entries = TinyModels.entries(dir.resolve(ModelStore.MODEL_FILE));
        entries.put(ModelArchiveCheck.NO_PARAMS, new byte[4 << 20]); // 4 MiB of zeros deflate to ~4 KiB
        Path head = rewrite(dir, entries);
        assertThat(Files.size(head)).isLessThan(64 << 10);
        ModelArchiveCheck oneMiB = new ModelArchiveCheck(1 << 20);
        assertThatThrownBy(() -> oneMiB.read(head, "re-train"))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining(head.toString())
                .hasMessageContaining("unpacks to more than 1048576 bytes")
                .hasMessageContaining("'" + ModelArchiveCheck.NO_PARAMS + "'");
        // and a file over the limit is refused before it is read
        assertThatThrownBy(() -> new ModelArchiveCheck(100).read(head, "re-train"))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining("over the limit of 100");
    }

    @Test
    void anArrayHeaderClaimingMoreThanTheEntryHoldsIsRefused() throws Exception {
        Path dir = savedModel("array");
        Map<String, byte[]> entries = TinyModels.entries(dir.resolve(ModelStore.MODEL_FILE));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.writeUTF("LONG_SHAPE"); // the shape buffer as Nd4j.write puts it: 8 longs
            d.writeLong(8);
            d.writeUTF("LONG");
            for (int i = 0; i < 8; i++) {
                d.writeLong(1);
            }
            d.writeUTF("MIXED_DATA_TYPES"); // the data buffer: claims 2^40 floats, holds 16 bytes
            d.writeLong(1L << 40);
            d.writeUTF("FLOAT");
            d.write(new byte[16]);
        }
        entries.put(ModelArchiveCheck.COEFFICIENTS, b.toByteArray());
        Path head = rewrite(dir, entries);
        assertThatThrownBy(() -> ModelStore.load(dir))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining(head.toString())
                .hasMessageContaining("declares " + (4L << 40) + " bytes");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "com.example.Gadget",
                // ours too, except the one graph part a network may name (ScaleChannelsVertex): allowed by exact class
                "com.cosmicmorphology.training.backbone.ScaleChannelsVertexX",
                "com.cosmicmorphology.common.cli.Cosmic"
            })
    void aConfigurationNamingAClassOutsideDl4jIsRefused(String foreign) throws Exception {
        Path dir = savedModel("foreign");
        Map<String, byte[]> entries = TinyModels.entries(dir.resolve(ModelStore.MODEL_FILE));
        String conf = new String(entries.get(ModelArchiveCheck.CONFIGURATION), StandardCharsets.UTF_8);
        assertThat(conf).contains("\"@class\"");
        entries.put(
                ModelArchiveCheck.CONFIGURATION,
                conf.replaceFirst("\"@class\"\\s*:\\s*\"[^\"]+\"", "\"@class\" : \"" + foreign + "\"")
                        .getBytes(StandardCharsets.UTF_8));
        rewrite(dir, entries);
        assertThatThrownBy(() -> ModelStore.load(dir))
                .isInstanceOf(CosmicException.class)
                .hasMessageContaining(foreign)
                .hasMessageContaining("configuration.json");
    }

    @Test
    void aModelAsTrainSavesItPassesTheChecksAndLoadsWhole() {
        Path dir = tmp.resolve("good");
        MultiLayerNetwork net = TinyModels.save(dir, "good", 3);
        ModelStore.Loaded loaded = ModelStore.load(dir);
        assertThat(loaded.net().params()).isEqualTo(net.params());
        assertThat(loaded.modelId()).isEqualTo("good");
    }
}

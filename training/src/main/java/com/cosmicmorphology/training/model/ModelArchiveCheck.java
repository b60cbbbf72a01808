package com.cosmicmorphology.training.model;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Checks a DL4J model file (ModelSerializer's zip) before DL4J opens it, because DL4J trusts it: a
 * {@code preprocessor.bin} entry is read with {@link java.io.ObjectInputStream} (Java deserialization, which a
 * crafted file turns into code execution), {@code normalizer.bin} names a class for NormalizerSerializer, the
 * layers in {@code configuration.json} are Jackson-typed by class name, and every entry is read whole into
 * memory at the size its header declares (a zip bomb, or an array header claiming terabytes, exhausts the JVM).
 *
 * <p>Only what ModelSerializer.writeModel(model, file, false) writes is allowed: {@code configuration.json},
 * {@code coefficients.bin} (or {@code noParams.marker}), and {@code updaterState.bin} (an ND4J array like the
 * coefficients, written when a model is saved with its updater; loading never reads it). The file is read
 * with {@link ZipInputStream}, the reader DL4J itself uses (local headers, in order), so the entries checked
 * are the entries DL4J would see; {@link #read} hands back the checked bytes so that DL4J parses exactly
 * them, not a file swapped in after the check.
 */
public final class ModelArchiveCheck {
    public static final String CONFIGURATION = "configuration.json";
    public static final String COEFFICIENTS = "coefficients.bin";
    public static final String NO_PARAMS = "noParams.marker";
    public static final String UPDATER = "updaterState.bin";
    /**
     * The project's own graph parts a saved network may name, by exact class (not by package: nothing else of
     * ours is meant to be instantiated from a model file).
     */
    private static final Set<String> PROJECT_CLASSES = Set.of(
            com.cosmicmorphology.training.backbone.ScaleChannelsVertex.class.getName(),
            com.cosmicmorphology.training.backbone.PatchTokensLayer.class.getName(),
            com.cosmicmorphology.training.backbone.TransformerBlockLayer.class.getName(),
            com.cosmicmorphology.training.backbone.ClassTokenLayer.class.getName());

    private static final Set<String> ALLOWED = Set.of(CONFIGURATION, COEFFICIENTS, NO_PARAMS, UPDATER);
    /** ND4J array entries: their headers declare how much DL4J allocates. */
    private static final Set<String> ARRAYS = Set.of(COEFFICIENTS, UPDATER);
    /** Packages whose classes a DL4J configuration names; anything else is not a DL4J model. */
    private static final Set<String> CLASS_PREFIXES = Set.of("org.deeplearning4j.", "org.nd4j.");
    /**
     * 1 GiB, file and unpacked content alike: ResNet50 with its Adam state unpacks to ~310 MB, the heads this
     * project trains to kilobytes; DL4J itself cannot hold an entry over 2 GiB.
     */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final long maxBytes;

    public ModelArchiveCheck() {
        this(DEFAULT_MAX_BYTES);
    }

    /** @param maxBytes the most the file may weigh, and the most its entries may unpack to together */
    public ModelArchiveCheck(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * The file's bytes once they passed every check; give DL4J these (a ByteArrayInputStream), not the file.
     *
     * @param remedy what to do when the file is refused, e.g. "re-train with ..."
     */
    public byte[] read(Path file, String remedy) {
        byte[] bytes = readBounded(file, remedy);
        check(new ByteArrayInputStream(bytes), file, remedy);
        return bytes;
    }

    /** The checks alone, streaming the file (for a file DL4J's own code opens later, such as a zoo model). */
    public void check(Path file, String remedy) {
        size(file, remedy);
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            check(in, file, remedy);
        } catch (IOException e) {
            throw refused(file, "cannot be read (" + e.getMessage() + ")", remedy);
        }
    }

    private void check(InputStream raw, Path file, String remedy) {
        Set<String> seen = new HashSet<>();
        long unpacked = 0;
        try (ZipInputStream zip = new ZipInputStream(raw)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String name = e.getName();
                if (!ALLOWED.contains(name)) {
                    throw refused(
                            file,
                            "holds entry '" + printable(name) + "', which DL4J model files of this project never "
                                    + "hold (allowed: " + String.join(", ", new java.util.TreeSet<>(ALLOWED)) + ")"
                                    + (name.equals("preprocessor.bin") || name.equals("normalizer.bin")
                                            ? "; DL4J would deserialize it as Java objects, which can run code"
                                            : ""),
                            remedy);
                }
                if (!seen.add(name)) {
                    throw refused(
                            file, "holds entry '" + name + "' twice (DL4J would silently keep the last one)", remedy);
                }
                // the header's own claim first (DL4J allocates that much before reading), then what really streams out
                if (e.getSize() > maxBytes - unpacked) {
                    throw refused(
                            file,
                            "entry '" + name + "' declares " + e.getSize() + " bytes unpacked, over the limit of "
                                    + maxBytes + " for a whole model file",
                            remedy);
                }
                Counted entry = new Counted(
                        zip,
                        maxBytes - unpacked,
                        () -> refused(
                                file,
                                "unpacks to more than " + maxBytes
                                        + " bytes (at entry '" + name
                                        + "'), the limit for a model file: a zip bomb, or not a model of this "
                                        + "project",
                                remedy));
                if (name.equals(CONFIGURATION)) {
                    checkConfiguration(entry, file, remedy);
                } else if (ARRAYS.contains(name)) {
                    checkArray(entry, file, name, remedy);
                }
                entry.drain();
                unpacked += entry.count;
            }
        } catch (ZipException | EOFException e) {
            throw refused(file, "is not a readable zip archive (" + e.getMessage() + ")", remedy);
        } catch (IOException e) {
            throw refused(file, "cannot be read (" + e.getMessage() + ")", remedy);
        }
        if (!seen.contains(CONFIGURATION)) {
            throw refused(file, "holds no " + CONFIGURATION + ": it is not a DL4J model file", remedy);
        }
        if (!seen.contains(COEFFICIENTS) && !seen.contains(NO_PARAMS)) {
            throw refused(file, "holds no " + COEFFICIENTS + " (the network's weights)", remedy);
        }
    }

    /** The configuration must be JSON whose typed parts all name DL4J/ND4J classes. */
    private static void checkConfiguration(Counted entry, Path file, String remedy) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        entry.transferTo(buf);
        JsonNode root;
        try {
            root = JSON.readTree(buf.toByteArray());
        } catch (IOException e) {
            throw refused(file, "entry '" + CONFIGURATION + "' is not JSON (" + e.getMessage() + ")", remedy);
        }
        if (root == null || !root.isObject()) {
            throw refused(file, "entry '" + CONFIGURATION + "' is not a JSON object", remedy);
        }
        String bad = foreignClass(root);
        if (bad != null) {
            throw refused(
                    file,
                    "entry '" + CONFIGURATION + "' names class '" + printable(bad) + "', outside DL4J, ND4J and "
                            + PROJECT_CLASSES + " (DL4J would instantiate it)",
                    remedy);
        }
    }

    private static String foreignClass(JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("@class")
                        && !(f.getValue().isTextual()
                                && (CLASS_PREFIXES.stream()
                                                .anyMatch(f.getValue().asText()::startsWith)
                                        || PROJECT_CLASSES.contains(f.getValue().asText())))) {
                    return f.getValue().toString();
                }
                String inner = foreignClass(f.getValue());
                if (inner != null) {
                    return inner;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                String inner = foreignClass(n);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    /**
     * An ND4J array (Nd4j.write): a shape buffer, then a data buffer, each with a header (allocation mode, element
     * count, data type) from which ND4J allocates before reading. Each declared buffer must fit in the bytes that
     * follow, so a header cannot make DL4J allocate more than the entry really holds.
     */
    private static void checkArray(Counted entry, Path file, String name, String remedy) throws IOException {
        DataInputStream in = new DataInputStream(entry);
        try {
            long shapeBytes = header(in, file, name, remedy);
            if (shapeBytes > 8L * 100) { // rank <= 32: a shape buffer is under 100 longs
                throw refused(file, "entry '" + name + "' declares a shape of " + shapeBytes + " bytes", remedy);
            }
            in.skipNBytes(shapeBytes);
            long dataBytes = header(in, file, name, remedy);
            long left = in.transferTo(java.io.OutputStream.nullOutputStream());
            if (left < dataBytes) {
                throw refused(
                        file,
                        "entry '" + name + "' declares " + dataBytes + " bytes of array data but holds only " + left,
                        remedy);
            }
        } catch (EOFException e) {
            throw refused(file, "entry '" + name + "' ends inside its array header", remedy);
        }
    }

    /** One ND4J buffer header (BaseDataBuffer.readHeader's format); returns the bytes it declares. */
    private static long header(DataInputStream in, Path file, String name, String remedy) throws IOException {
        String mode = in.readUTF();
        long length = switch (mode) {
            case "DIRECT", "HEAP", "JAVACPP" -> in.readInt(); // the first three modes store an int, the others a long
            case "LONG_SHAPE", "MIXED_DATA_TYPES" -> in.readLong();
            default ->
                throw refused(
                        file,
                        "entry '" + name + "' has an unknown array allocation mode '" + printable(mode) + "'",
                        remedy);
        };
        String typeName = in.readUTF();
        DataType type;
        try {
            type = DataType.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            type = null;
        }
        if (type == null || type == DataType.COMPRESSED || type == DataType.UTF8 || type.width() <= 0) {
            throw refused(
                    file,
                    "entry '" + name + "' has array data type '" + printable(typeName) + "', which a DL4J model "
                            + "of this project never holds",
                    remedy);
        }
        if (length < 0 || length > Long.MAX_VALUE / type.width()) {
            throw refused(file, "entry '" + name + "' declares " + length + " array elements", remedy);
        }
        return length * type.width();
    }

    private long size(Path file, String remedy) {
        if (!Files.isRegularFile(file)) {
            throw refused(file, "is not a regular file", remedy);
        }
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw refused(
                        file, "is " + size + " bytes, over the limit of " + maxBytes + " for a model file", remedy);
            }
            return size;
        } catch (IOException e) {
            throw refused(file, "cannot be read (" + e.getMessage() + ")", remedy);
        }
    }

    private byte[] readBounded(Path file, String remedy) {
        size(file, remedy);
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            // read at most one byte past the limit: a file that grew since it was measured is still refused
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw refused(file, "is over the limit of " + maxBytes + " bytes for a model file", remedy);
            }
            return bytes;
        } catch (IOException e) {
            throw refused(file, "cannot be read (" + e.getMessage() + ")", remedy);
        }
    }

    static CosmicException refused(Path file, String why, String remedy) {
        return new CosmicException(ExitCode.USAGE, "model file " + file + " " + why + "; it was not loaded: " + remedy);
    }

    /** Entry names come from the file: shown with control characters escaped, and cut short. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    /** An entry's bytes, counted as they stream out, refused the moment they pass what is left of the limit. */
    private static final class Counted extends InputStream {
        private final InputStream in;
        private final long limit;
        private final java.util.function.Supplier<CosmicException> overLimit;
        long count;

        Counted(InputStream in, long limit, java.util.function.Supplier<CosmicException> overLimit) {
            this.in = in;
            this.limit = limit;
            this.overLimit = overLimit;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        private void add(long n) {
            count += n;
            if (count > limit) {
                throw overLimit.get();
            }
        }

        void drain() throws IOException {
            byte[] buf = new byte[8192];
            while (read(buf, 0, buf.length) >= 0) {
                // counting only
            }
        }

        @Override
        public void close() {
            // the zip stream stays open for the next entry
        }
    }
}

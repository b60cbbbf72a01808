package com.cosmicmorphology.processing;

import com.cosmicmorphology.common.image.Hashes;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Writes an {@code images} table in the contract's columns ({@link LakeTable#IMAGES}) from real photographs of the bundled sample, the
 * way ingest would (processing's tests must not depend on the ingest module).
 */
public final class ImagesFixture {
    public static final Path SAMPLE =
            Path.of("../data/sample/stellarium").toAbsolutePath().normalize();
    static final StructType SCHEMA = LakeTable.IMAGES.schema();

    private final List<Row> rows = new ArrayList<>();

    /** The first {@code perClass} photographs (by name) of each given class. */
    public ImagesFixture sample(int perClass, String... classes) throws Exception {
        for (String c : classes) {
            try (Stream<Path> files = Files.list(SAMPLE.resolve(c))) {
                for (Path f : files.sorted().limit(perClass).toList()) {
                    add("folder:" + c + "/" + f.getFileName(), c, Files.readAllBytes(f));
                }
            }
        }
        return this;
    }

    public ImagesFixture add(String imageId, String label, byte[] bytes) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        rows.add(RowFactory.create(
                imageId,
                "folder",
                label,
                "folder",
                bytes,
                Hashes.sha256(bytes),
                "jpeg",
                img.getWidth(),
                img.getHeight(),
                (long) bytes.length,
                imageId,
                Timestamp.from(Instant.now())));
        return this;
    }

    /** Bytes that no decoder reads, as if they had been damaged after ingest (ingest itself rejects them). */
    public ImagesFixture addUndecodable(String imageId, String label, byte[] bytes) throws Exception {
        rows.add(RowFactory.create(
                imageId,
                "folder",
                label,
                "folder",
                bytes,
                Hashes.sha256(bytes),
                "jpeg",
                0,
                0,
                (long) bytes.length,
                imageId,
                Timestamp.from(Instant.now())));
        return this;
    }

    public static byte[] bytes(String classAndFile) throws Exception {
        return Files.readAllBytes(SAMPLE.resolve(classAndFile));
    }

    /** The same picture at {@code scale} of its size, re-encoded: a near-duplicate. */
    public static byte[] resized(byte[] jpeg, double scale) throws Exception {
        BufferedImage src = ImageIO.read(new ByteArrayInputStream(jpeg));
        int w = (int) (src.getWidth() * scale);
        int h = (int) (src.getHeight() * scale);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ImageIO.write(out, "jpg", bos);
        return bos.toByteArray();
    }

    public void writeTo(SparkSession spark, LakeLayout lake, SaveMode mode) {
        spark.createDataFrame(rows, SCHEMA).write().format("delta").mode(mode).save(lake.location(LakeTable.IMAGES));
    }
}

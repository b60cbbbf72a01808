package com.cosmicmorphology.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;

/**
 * Small files that declare huge images, built the way an attacker would: a genuine grey PNG whose rows are
 * deflated as they are generated (40000 x 40000 zeros compress to about 1.6 MB), and a real JPEG whose frame
 * header is patched to claim another size.
 */
public final class PixelBombs {
    private PixelBombs() {}

    /** A valid 8-bit grey PNG of width x height black pixels, never held uncompressed in memory. */
    public static byte[] greyPng(int width, int height) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
            byte[] row = new byte[width + 1]; // filter byte 0, then the row's pixels
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        } finally {
            deflater.end();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(
                png,
                "IHDR",
                ByteBuffer.allocate(13)
                        .putInt(width)
                        .putInt(height)
                        .put((byte) 8)
                        .put((byte) 0)
                        .put((byte) 0)
                        .put((byte) 0)
                        .put((byte) 0)
                        .array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    /** A small real JPEG whose SOF frame header claims width x height (up to 65535 each). */
    public static byte[] jpegClaiming(int width, int height) throws IOException {
        java.awt.image.BufferedImage img =
                new java.awt.image.BufferedImage(16, 16, java.awt.image.BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", out);
        byte[] b = out.toByteArray();
        for (int i = 2; i + 9 < b.length; i++) {
            int marker = b[i + 1] & 0xff;
            if ((b[i] & 0xff) == 0xff && marker >= 0xc0 && marker <= 0xc2) { // SOF0..SOF2: length, precision, h, w
                b[i + 5] = (byte) (height >> 8);
                b[i + 6] = (byte) height;
                b[i + 7] = (byte) (width >> 8);
                b[i + 8] = (byte) width;
                return b;
            }
        }
        throw new IllegalStateException("no SOF marker in the JPEG ImageIO wrote");
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}

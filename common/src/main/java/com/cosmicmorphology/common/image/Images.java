package com.cosmicmorphology.common.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The one way the project turns image bytes into pixels: every job's decode goes through here, so every
 * decode is guarded. The header is read first and its declared size checked against {@link DecodeLimits}
 * (subsampled above the decoded budget, refused above the declared limit); concurrent decodes share a
 * memory budget ({@link DecodeMemory}) so that 16 threads decoding big photographs cannot together exhaust
 * the heap; and a decoder that still runs out of memory fails this image, not the run.
 *
 * <p>ImageIO's default wraps a stream in a temporary-file cache: for bytes already in memory that is pure
 * disk I/O, and parallel Spark tasks queue on it. These streams are memory-cached.
 */
public final class Images {
    static {
        ImageIO.setUseCache(false);
    }

    private Images() {}

    /** A memory-cached stream over the bytes, for callers that only need to look at them. */
    public static ImageInputStream stream(byte[] bytes) {
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    }

    /** The decoded image within the default limits, or null when no decoder recognises the bytes. */
    public static BufferedImage decode(byte[] bytes) throws IOException {
        return decode(bytes, DecodeLimits.DEFAULT);
    }

    /**
     * The decoded image within {@code limits} (possibly subsampled), or null when no decoder recognises the
     * bytes.
     *
     * @throws ImageRefused when the header declares too many pixels or the decoder fails
     */
    public static BufferedImage decode(byte[] bytes, DecodeLimits limits) throws IOException {
        try {
            return read(bytes, limits).pixels();
        } catch (ImageRefused e) {
            if ("unsupported_format".equals(e.reason())) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Decodes with format, declared size, subsampling and the decoder's first warning.
     *
     * @throws ImageRefused with reason unsupported_format, too_many_pixels or undecodable
     */
    public static DecodedImage read(byte[] bytes, DecodeLimits limits) throws ImageRefused {
        try (ImageInputStream in = stream(bytes)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageRefused(
                        "unsupported_format",
                        "no image decoder recognises these " + bytes.length + " bytes" + describeStart(bytes));
            }
            ImageReader reader = readers.next();
            try {
                return read(reader, in, limits);
            } finally {
                reader.dispose();
            }
        } catch (ImageRefused e) {
            throw e;
        } catch (IOException | RuntimeException | StackOverflowError e) {
            // a crafted file can send a decoder into deep recursion: that fails this image, not the task or run
            throw new ImageRefused("undecodable", e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static DecodedImage read(ImageReader reader, ImageInputStream in, DecodeLimits limits) throws IOException {
        AtomicReference<String> warning = new AtomicReference<>();
        reader.addIIOReadWarningListener(new IIOReadWarningListener() {
            @Override
            public void warningOccurred(ImageReader source, String message) {
                warning.compareAndSet(null, message);
            }
        });
        reader.setInput(in, true, true);
        String format = reader.getFormatName().toLowerCase(Locale.ROOT);
        format = format.equals("jpg") ? "jpeg" : format;
        // the header only: no pixel is decoded yet
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width < 1 || height < 1) {
            throw new ImageRefused("undecodable", format + " header declares " + width + " x " + height + " pixels");
        }
        long declared = (long) width * height;
        if (declared > limits.maxDeclaredPixels()) {
            throw new ImageRefused(
                    "too_many_pixels",
                    format + " declares " + width + " x " + height + " = " + declared
                            + " pixels, over decode.max-declared-pixels=" + limits.maxDeclaredPixels()
                            + "; raise it if such images are expected (they are decoded subsampled)");
        }
        int step = limits.subsampling(width, height);
        ImageReadParam param = reader.getDefaultReadParam();
        if (step > 1) {
            param.setSourceSubsampling(step, step, 0, 0);
        }
        long decodedPixels = ((long) width + step - 1) / step * (((long) height + step - 1) / step);
        BufferedImage image;
        try (DecodeMemory.Lease lease = DecodeMemory.shared().acquire(decodedPixels)) {
            image = reader.read(0, param);
        } catch (OutOfMemoryError e) {
            // The allocation that failed is this image's raster, which is now garbage; the heap is usable again.
            // Failing this image (quarantined with a reason) beats aborting the run and dying on it at every re-run.
            throw new ImageRefused(
                    "too_many_pixels",
                    format + " " + width + " x " + height + " (subsampled 1/" + step
                            + ") did not fit in the heap; lower decode.max-decoded-pixels or give the job more memory");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for decode memory");
        }
        if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
            throw new ImageRefused("undecodable", format + " decoded to no pixels");
        }
        return new DecodedImage(image, format, width, height, step, warning.get());
    }

    private static String describeStart(byte[] b) {
        int n = Math.min(b.length, 16);
        String text = new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", ".");
        return n == 0 ? "" : " (starts with '" + text + "')";
    }
}

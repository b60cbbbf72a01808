package com.cosmicmorphology.ingest.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an image once, completely, to prove it is usable, and records format, size and SHA-256.
 * Decoding goes through ImageIO with the TwelveMonkeys JPEG plugin on the classpath (CMYK/YCCK and
 * slightly broken JPEGs that the JDK reader refuses). A truncated JPEG often "decodes" with a warning and
 * grey rows: warnings are treated as corruption, so such images go to quarantine instead of training.
 */
public final class ImageInspector {
  /** Thrown with a quarantine reason code: undecodable or unsupported_format. */
  public static final class Rejected extends Exception {
    private final String reason;

    public Rejected(String reason, String detail) {
      super(detail);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  public InspectedImage inspect(byte[] bytes) throws Rejected {
    String sha = sha256(bytes);
    try (ImageInputStream in = com.cosmicmorphology.common.image.Images.stream(bytes)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new Rejected("unsupported_format", "no image decoder recognises these " + bytes.length + " bytes"
            + describeStart(bytes));
      }
      ImageReader reader = readers.next();
      AtomicReference<String> warning = new AtomicReference<>();
      reader.addIIOReadWarningListener(new IIOReadWarningListener() {
        @Override
        public void warningOccurred(ImageReader source, String message) {
          warning.compareAndSet(null, message);
        }
      });
      try {
        reader.setInput(in, true, true);
        String format = reader.getFormatName().toLowerCase(Locale.ROOT);
        var image = reader.read(0);
        if (warning.get() != null) {
          throw new Rejected("undecodable", format + " decoded with a warning: " + warning.get());
        }
        if (image.getWidth() < 1 || image.getHeight() < 1) {
          throw new Rejected("undecodable", "image has no pixels");
        }
        return new InspectedImage(format.equals("jpg") ? "jpeg" : format, image.getWidth(), image.getHeight(), sha);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw new Rejected("undecodable", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  public static String sha256(byte[] bytes) {
    return com.cosmicmorphology.common.image.Hashes.sha256(bytes);
  }

  private static String describeStart(byte[] b) {
    int n = Math.min(b.length, 16);
    String text = new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", ".");
    return n == 0 ? "" : " (starts with '" + text + "')";
  }
}

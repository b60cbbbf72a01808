package com.cosmicmorphology.training.eval;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** The confusion matrix as a PNG heat map: rows true class, columns predicted, counts in the cells. */
public final class ConfusionChart {
  private ConfusionChart() {}

  public static void write(long[][] cm, List<String> labels, String title, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int k = labels.size();
    int cell = 56;
    int left = 200;
    int top = 190;
    BufferedImage img = new BufferedImage(left + k * cell + 20, top + k * cell + 40, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, 10, 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString("true class (rows) x predicted (columns)", 10, 38);
    for (int r = 0; r < k; r++) {
      long rowSum = 0;
      for (long v : cm[r]) {
        rowSum += v;
      }
      g.setColor(Color.BLACK);
      g.drawString(labels.get(r), 8, top + r * cell + cell / 2 + 4);
      for (int c = 0; c < k; c++) {
        double share = rowSum == 0 ? 0 : (double) cm[r][c] / rowSum;
        int shade = (int) (255 - 200 * share);
        g.setColor(r == c ? new Color(shade, 255, shade) : new Color(255, shade, shade));
        g.fillRect(left + c * cell, top + r * cell, cell - 2, cell - 2);
        g.setColor(Color.BLACK);
        g.drawString(Long.toString(cm[r][c]), left + c * cell + cell / 2 - 8, top + r * cell + cell / 2 + 4);
      }
    }
    for (int c = 0; c < k; c++) {
      Graphics2D rot = (Graphics2D) g.create();
      rot.rotate(-Math.PI / 2, left + c * cell + cell / 2.0, top - 8);
      rot.drawString(labels.get(c), left + c * cell + cell / 2, top - 8);
      rot.dispose();
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }
}

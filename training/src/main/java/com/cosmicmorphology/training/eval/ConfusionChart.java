package com.cosmicmorphology.training.eval;

import com.cosmicmorphology.common.chart.ChartStyle;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The confusion matrix as one PNG with two panels side by side: counts (shaded by count), and the matrix
 * normalised by row (shaded by share: the diagonal is each true class's recall), so a rare class's errors are as
 * visible as a common one's. Rows are true classes, columns predicted, in the same order in both panels. The
 * image is sized from its text (class names, title) before anything is drawn, so nothing is cut off.
 */
public final class ConfusionChart {
    static final int CELL = 60;
    static final int MARGIN = 24;
    static final int GAP = 56;
    /** Column labels are drawn at 45 degrees: long class names fit over narrow columns and still read. */
    private static final double DIAGONAL = Math.sqrt(0.5);

    static final List<String> HEADINGS = List.of("Counts (images)", "Recall per true class (each row sums to 100%)");
    private static final Color ZERO = new Color(0xB5B5B5);
    private static final Color NO_IMAGES = new Color(0xEEEEEE);

    private ConfusionChart() {}

    /**
     * Where everything goes, in pixels. {@code panelLeft[0]} is the counts grid, {@code panelLeft[1]} the
     * normalised one; both grids start at {@code gridTop}.
     */
    record Layout(
            int width,
            int height,
            List<String> title,
            List<String> subtitle,
            List<List<String>> headings,
            int titleTop,
            int subtitleTop,
            int headingTop,
            int gridTop,
            int rowLabelRight,
            int[] panelLeft,
            int supportLeft,
            int captionTop,
            int k) {

        Rectangle cell(int panel, int row, int col) {
            return new Rectangle(panelLeft[panel] + col * CELL, gridTop + row * CELL, CELL - 2, CELL - 2);
        }
    }

    /**
     * @param title the headline (split and figures)
     * @param about what the chart is of (the model id), first on the line under the title
     */
    public static void write(long[][] cm, List<String> labels, String title, String about, Path png)
            throws IOException {
        ImageIO.write(render(cm, labels, title, about), "png", png.toFile());
    }

    static BufferedImage render(long[][] cm, List<String> labels, String title, String about) {
        System.setProperty("java.awt.headless", "true");
        Layout l = layout(cm, labels, title, about);
        BufferedImage img = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = ChartStyle.canvas(img);
        try {
            lines(g, l.title(), ChartStyle.TITLE, ChartStyle.TEXT, MARGIN, l.titleTop());
            lines(g, l.subtitle(), ChartStyle.SUBTITLE, ChartStyle.MUTED, MARGIN, l.subtitleTop());
            for (int p = 0; p < 2; p++) {
                lines(g, l.headings().get(p), ChartStyle.HEADING, ChartStyle.TEXT, l.panelLeft()[p], l.headingTop());
                columnLabels(g, l, p, labels);
            }
            rowLabels(g, l, labels);
            counts(g, l, cm);
            normalised(g, l, Metrics.rowNormalised(cm));
            supports(g, l, cm);
            captions(g, l);
        } finally {
            g.dispose();
        }
        return img;
    }

    static Layout layout(long[][] cm, List<String> labels, String title, String about) {
        int k = labels.size();
        FontMetrics label = ChartStyle.metrics(ChartStyle.LABEL);
        FontMetrics sub = ChartStyle.metrics(ChartStyle.SUBTITLE);
        int grid = k * CELL;
        int longest = ChartStyle.widest(labels, label);
        // a 45-degree label rises by its length times sin 45 (plus its ascent, tilted) above its column
        int rise = (int) Math.ceil((longest + label.getAscent()) * DIAGONAL);
        int supportWidth = label.stringWidth("n = "
                        + Arrays.stream(cm).mapToLong(ConfusionChart::sum).max().orElse(0))
                + 14;
        int panelWidth = Math.max(grid, 200);
        int rowLabelRight = MARGIN + sub.getHeight() + 10 + longest;
        int left = rowLabelRight + 10;
        int right = left + panelWidth + GAP;
        // the last column's label leans right, past the grid and the support column
        int overhang = Math.max(0, rise - CELL / 2 - supportWidth);
        int width = right + Math.max(panelWidth, grid + supportWidth + overhang) + MARGIN;
        int textWidth = width - 2 * MARGIN;

        List<String> titleLines = ChartStyle.wrap(title, ChartStyle.metrics(ChartStyle.TITLE), textWidth);
        long images = Arrays.stream(cm).mapToLong(ConfusionChart::sum).sum();
        List<String> subtitle = new java.util.ArrayList<>(ChartStyle.wrap(about, sub, textWidth));
        subtitle.addAll(ChartStyle.wrap(
                "rows: true class · columns: predicted class · " + images + " images, " + k + " classes",
                sub,
                textWidth));
        FontMetrics heading = ChartStyle.metrics(ChartStyle.HEADING);
        List<List<String>> headings = HEADINGS.stream()
                .map(h -> ChartStyle.wrap(h, heading, panelWidth))
                .toList();

        int titleTop = MARGIN;
        int subtitleTop = titleTop
                + titleLines.size() * ChartStyle.metrics(ChartStyle.TITLE).getHeight()
                + 4;
        int headingTop = subtitleTop + subtitle.size() * sub.getHeight() + 16;
        int headingLines = headings.stream().mapToInt(List::size).max().orElse(1);
        int gridTop = headingTop + headingLines * heading.getHeight() + 8 + rise + 8;
        int captionTop = gridTop + grid + 8;
        int height = captionTop + sub.getHeight() + MARGIN;
        return new Layout(
                width,
                height,
                titleLines,
                subtitle,
                headings,
                titleTop,
                subtitleTop,
                headingTop,
                gridTop,
                rowLabelRight,
                new int[] {left, right},
                right + grid + 10,
                captionTop,
                k);
    }

    private static long sum(long[] row) {
        return Arrays.stream(row).sum();
    }

    /** Lines of text whose first line's top is at {@code top}. */
    private static void lines(Graphics2D g, List<String> lines, Font font, Color color, int x, int top) {
        g.setFont(font);
        g.setColor(color);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < lines.size(); i++) {
            g.drawString(lines.get(i), x, top + i * fm.getHeight() + fm.getAscent());
        }
    }

    private static void columnLabels(Graphics2D g, Layout l, int panel, List<String> labels) {
        g.setFont(ChartStyle.LABEL);
        g.setColor(ChartStyle.TEXT);
        FontMetrics fm = g.getFontMetrics();
        for (int c = 0; c < l.k(); c++) {
            Rectangle cell = l.cell(panel, 0, c);
            Graphics2D rot = (Graphics2D) g.create();
            // anchored a little left of the column's centre, so the tilted text sits over the column
            rot.translate(cell.getCenterX() - fm.getAscent() * DIAGONAL / 2, l.gridTop() - 8);
            rot.rotate(-Math.PI / 4);
            rot.drawString(labels.get(c), 0, 0);
            rot.dispose();
        }
    }

    private static void rowLabels(Graphics2D g, Layout l, List<String> labels) {
        g.setFont(ChartStyle.LABEL);
        g.setColor(ChartStyle.TEXT);
        FontMetrics fm = g.getFontMetrics();
        for (int r = 0; r < l.k(); r++) {
            Rectangle cell = l.cell(0, r, 0);
            g.drawString(labels.get(r), l.rowLabelRight() - fm.stringWidth(labels.get(r)), (int)
                    (cell.getCenterY() + (fm.getAscent() - fm.getDescent()) / 2.0));
        }
    }

    private static void counts(Graphics2D g, Layout l, long[][] cm) {
        long max = Arrays.stream(cm).flatMapToLong(Arrays::stream).max().orElse(0);
        for (int r = 0; r < l.k(); r++) {
            for (int c = 0; c < l.k(); c++) {
                long v = cm[r][c];
                Color fill = ChartStyle.heat(max == 0 ? 0 : (double) v / max);
                cell(g, l.cell(0, r, c), fill, Long.toString(v), v == 0 ? ZERO : ChartStyle.textOn(fill));
            }
        }
    }

    private static void normalised(Graphics2D g, Layout l, double[][] shares) {
        for (int r = 0; r < l.k(); r++) {
            for (int c = 0; c < l.k(); c++) {
                double s = shares[r][c];
                if (Double.isNaN(s)) { // no image of this true class in the split: no recall to show
                    cell(g, l.cell(1, r, c), NO_IMAGES, "–", ChartStyle.MUTED);
                    continue;
                }
                Color fill = ChartStyle.heat(s);
                // a bare 0 where nothing was predicted: rows of "0%" would drown the few shares that matter
                cell(
                        g,
                        l.cell(1, r, c),
                        fill,
                        s == 0 ? "0" : ChartStyle.percent(s),
                        s == 0 ? ZERO : ChartStyle.textOn(fill));
            }
        }
    }

    private static void cell(Graphics2D g, Rectangle cell, Color fill, String text, Color ink) {
        g.setColor(fill);
        g.fill(cell);
        g.setFont(ChartStyle.VALUE_BOLD);
        g.setColor(ink);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(text, (int) (cell.getCenterX() - fm.stringWidth(text) / 2.0), (int)
                (cell.getCenterY() + (fm.getAscent() - fm.getDescent()) / 2.0));
    }

    /** Each true class's image count, right of the normalised grid: 100% of 1 image reads differently from 100% of 40. */
    private static void supports(Graphics2D g, Layout l, long[][] cm) {
        g.setFont(ChartStyle.LABEL);
        g.setColor(ChartStyle.MUTED);
        FontMetrics fm = g.getFontMetrics();
        for (int r = 0; r < l.k(); r++) {
            Rectangle cell = l.cell(1, r, 0);
            g.drawString("n = " + sum(cm[r]), l.supportLeft(), (int)
                    (cell.getCenterY() + (fm.getAscent() - fm.getDescent()) / 2.0));
        }
    }

    private static void captions(Graphics2D g, Layout l) {
        g.setFont(ChartStyle.SUBTITLE);
        g.setColor(ChartStyle.MUTED);
        FontMetrics fm = g.getFontMetrics();
        String predicted = "predicted class";
        for (int p = 0; p < 2; p++) {
            int centre = l.panelLeft()[p] + l.k() * CELL / 2;
            g.drawString(predicted, centre - fm.stringWidth(predicted) / 2, l.captionTop() + fm.getAscent());
        }
        String truth = "true class";
        Graphics2D rot = (Graphics2D) g.create();
        rot.translate(MARGIN + fm.getAscent(), l.gridTop() + l.k() * CELL / 2.0 + fm.stringWidth(truth) / 2.0);
        rot.rotate(-Math.PI / 2);
        rot.drawString(truth, 0, 0);
        rot.dispose();
    }
}

package com.cosmicmorphology.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.cosmicmorphology.common.chart.ChartStyle;
import java.awt.FontMetrics;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The confusion chart: counts beside the row-normalised matrix, sized so that no name or title is cut. */
class ConfusionChartTest {
    static final List<String> LABELS = List.of("emission_reflection_nebula", "galaxy", "planetary_nebula");
    /** Imbalanced on purpose: the counts panel shades by count, the normalised one by each row's share. */
    static final long[][] CM = {{30, 10, 0}, {0, 4, 0}, {1, 0, 0}};

    @TempDir
    Path tmp;

    @Test
    void rowsOfTheNormalisedMatrixAreEachTrueClassesShares() {
        long[][] cm = {{3, 1, 0}, {0, 0, 0}, {2, 2, 4}};
        double[][] n = Metrics.rowNormalised(cm);
        assertThat(n[0]).containsExactly(new double[] {0.75, 0.25, 0}, within(1e-12));
        assertThat(n[2]).containsExactly(new double[] {0.25, 0.25, 0.5}, within(1e-12));
        assertThat(Arrays.stream(n[0]).sum()).isCloseTo(1, within(1e-12));
        assertThat(Arrays.stream(n[2]).sum()).isCloseTo(1, within(1e-12));
        // no image of the class: no recall, rather than a row of zeros that would read as "always wrong"
        assertThat(Arrays.stream(n[1]).allMatch(Double::isNaN)).isTrue();
        // the diagonal is the recall Metrics reports
        Metrics.Report r =
                Metrics.of(new double[][] {{0.9, 0.1}, {0.2, 0.8}, {0.6, 0.4}}, new int[] {0, 1, 1}, List.of("a", "b"));
        assertThat(Metrics.rowNormalised(r.confusion())[1][1])
                .isEqualTo(r.classes().get(1).recall());
    }

    @Test
    void theSecondPanelIsShadedByEachRowsShareAndTheFirstByCount() throws Exception {
        Path png = tmp.resolve("confusion_test.png");
        ConfusionChart.write(
                CM, LABELS, "Confusion matrix, test split: accuracy 0.756, macro-F1 0.400", "model m1", png);
        BufferedImage img = ImageIO.read(png.toFile());
        ConfusionChart.Layout l = ConfusionChart.layout(
                CM, LABELS, "Confusion matrix, test split: accuracy 0.756, " + "macro-F1 0.400", "model m1");
        assertThat(img.getWidth()).isEqualTo(l.width()).isGreaterThan(2 * 3 * ConfusionChart.CELL);
        assertThat(img.getHeight())
                .isEqualTo(l.height())
                .isGreaterThan(3 * ConfusionChart.CELL)
                .isLessThan(l.width());
        double[][] shares = Metrics.rowNormalised(CM);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                assertThat(corner(img, l.cell(0, r, c)))
                        .as("counts %d,%d", r, c)
                        .isEqualTo(ChartStyle.heat(CM[r][c] / 30.0).getRGB());
                assertThat(corner(img, l.cell(1, r, c)))
                        .as("normalised %d,%d", r, c)
                        .isEqualTo(ChartStyle.heat(shares[r][c]).getRGB());
            }
        }
        // galaxy: 4 of 4 right is a full recall, however few images it has (the counts panel shows it pale)
        assertThat(corner(img, l.cell(1, 1, 1))).isEqualTo(ChartStyle.heat(1).getRGB());
        assertThat(corner(img, l.cell(0, 1, 1))).isNotEqualTo(ChartStyle.heat(1).getRGB());
    }

    @Test
    void longTitlesWrapAndLongClassNamesFitWhole() {
        String title = "Confusion matrix, test split: accuracy 0.722, macro-F1 0.488";
        String about = "model keras_mobilenet_v2_imagenet_block10_features_224_f6279edd4-20261201T101021";
        ConfusionChart.Layout l = ConfusionChart.layout(new long[3][3], LABELS, title, about);
        int text = l.width() - 2 * ConfusionChart.MARGIN;
        FontMetrics titleFont = ChartStyle.metrics(ChartStyle.TITLE);
        FontMetrics sub = ChartStyle.metrics(ChartStyle.SUBTITLE);
        assertThat(String.join(" ", l.title())).isEqualTo(title);
        l.title()
                .forEach(
                        line -> assertThat(titleFont.stringWidth(line)).as(line).isLessThanOrEqualTo(text));
        l.subtitle().forEach(line -> assertThat(sub.stringWidth(line)).as(line).isLessThanOrEqualTo(text));
        assertThat(String.join("", l.subtitle())).contains(about.substring("model ".length()));
        // row names right-aligned left of the first grid, the widest one whole
        FontMetrics label = ChartStyle.metrics(ChartStyle.LABEL);
        int widest = label.stringWidth("emission_reflection_nebula");
        assertThat(l.rowLabelRight() - widest).isGreaterThanOrEqualTo(ConfusionChart.MARGIN);
        assertThat(l.rowLabelRight()).isLessThan(l.panelLeft()[0]);
        // the 45-degree column names rise into the space between the headings and the grids, not into the headings
        int headingBottom = l.headingTop()
                + ChartStyle.metrics(ChartStyle.HEADING).getHeight()
                        * l.headings().stream().mapToInt(List::size).max().orElseThrow();
        assertThat(l.gridTop() - headingBottom).isGreaterThanOrEqualTo((int) (widest * Math.sqrt(0.5)));
        // and the last one, leaning right, stays inside the image
        Rectangle last = l.cell(1, 0, 2);
        assertThat(last.getCenterX() + widest * Math.sqrt(0.5)).isLessThanOrEqualTo(l.width());
    }

    /** A pixel just inside a cell's top-left corner: fill colour, away from the number in its middle. */
    private static int corner(BufferedImage img, Rectangle cell) {
        return img.getRGB(cell.x + 2, cell.y + 2);
    }
}

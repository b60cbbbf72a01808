package com.cosmicmorphology.processing.eda;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.chart.ChartStyle;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.entity.CategoryItemEntity;
import org.jfree.data.category.DefaultCategoryDataset;
import org.junit.jupiter.api.Test;

/** The EDA report's bar charts: flat bars in the palette, values on the bars, a histogram that shows gaps. */
class BarChartsTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void theHistogramKeepsEmptyBucketsAndWidensThemPastTheLimit() {
        DefaultCategoryDataset few = EdaReport.histogram(new TreeMap<>(Map.of(128L, 3L, 256L, 139L)));
        assertThat(few.getColumnKeys()).containsExactly("128–191", "192–255", "256–319");
        assertThat(few.getValue(0, 1)).isEqualTo(0L);

        Map<Long, Long> wide = new TreeMap<>();
        for (long b = 64; b < 8192; b += 64 * 7) {
            wide.put(b, 1L);
        }
        DefaultCategoryDataset merged = EdaReport.histogram(wide);
        assertThat(merged.getColumnCount())
                .isLessThanOrEqualTo(EdaReport.MAX_BUCKETS)
                .isGreaterThan(EdaReport.MAX_BUCKETS / 2);
        long sum = 0;
        for (int c = 0; c < merged.getColumnCount(); c++) {
            sum += merged.getValue(0, c).longValue();
        }
        assertThat(sum).isEqualTo(wide.size()); // nothing lost in the merge
        assertThat(merged.getColumnKey(0).toString()).isEqualTo("0–511"); // 64 px buckets merged into 512 px ones
    }

    @Test
    void stackedBarsCarryOneLabelTheirTotalAndItsShare() {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        d.addValue(6, "folder", "galaxy");
        d.addValue(2, "nasa", "galaxy");
        d.addValue(2, "folder", "nebula");
        d.addValue(0, "nasa", "nebula");
        BarCharts.ValueLabels labels = new BarCharts.ValueLabels(BarCharts.Values.COUNT_AND_SHARE, true);
        assertThat(labels.generateLabel(d, 0, 0)).isNull(); // the nasa segment ends the galaxy bar
        assertThat(labels.generateLabel(d, 1, 0)).isEqualTo("8 (80%)");
        assertThat(labels.generateLabel(d, 0, 1)).isEqualTo("2 (20%)");
        assertThat(labels.generateLabel(d, 1, 1)).isNull(); // nothing to label on an empty segment
        assertThat(new BarCharts.ValueLabels(BarCharts.Values.PERCENT, false).label(0.873, 1))
                .isEqualTo("87%");
    }

    @Test
    void barsAreFlatInThePaletteOnWhite() {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        List<String> classes = List.of("emission_reflection_nebula", "galaxy", "planetary_nebula");
        for (int i = 0; i < classes.size(); i++) {
            d.addValue(10 + 5 * i, "folder", classes.get(i));
        }
        JFreeChart chart = BarCharts.horizontal(
                "Images per class", "45 images", "images", d, true, BarCharts.Values.COUNT_AND_SHARE);
        int height = BarCharts.horizontalHeight(3, 1, false, true);
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage img = chart.createBufferedImage(BarCharts.WIDTH, height, info);
        assertThat(chart.getLegend()).isNull(); // one series: a legend would only repeat the title
        assertThat(img.getRGB(2, 2)).isEqualTo(ChartStyle.BACKGROUND.getRGB());
        List<Rectangle> bars = new ArrayList<>();
        for (Object e : info.getEntityCollection().getEntities()) {
            if (e instanceof CategoryItemEntity item) {
                bars.add(item.getArea().getBounds());
            }
        }
        assertThat(bars).hasSize(3);
        for (Rectangle bar : bars) {
            // one colour across the bar's thickness and length: no gradient, no highlight stripe
            int x = bar.x + bar.width / 2;
            assertThat(img.getRGB(x, bar.y + 2)).isEqualTo(ChartStyle.series(0).getRGB());
            assertThat(img.getRGB(x, bar.y + bar.height / 2))
                    .isEqualTo(ChartStyle.series(0).getRGB());
            assertThat(img.getRGB(bar.x + 2, bar.y + bar.height - 3))
                    .isEqualTo(ChartStyle.series(0).getRGB());
        }
        // the longest bar's label, right of it, has room inside the image
        Rectangle longest = bars.stream()
                .max(java.util.Comparator.comparingInt(b -> b.width))
                .orElseThrow();
        assertThat(longest.x + longest.width + 80).isLessThan(BarCharts.WIDTH);
    }
}

package com.cosmicmorphology.processing.eda;

import com.cosmicmorphology.common.chart.ChartStyle;
import java.awt.BasicStroke;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.text.NumberFormat;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.CategoryItemLabelGenerator;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;

/**
 * The EDA report's bar charts in the project's chart style ({@link ChartStyle}): flat bars on white, light
 * value gridlines only, the value (and where it helps, the share of the whole) at the end of each bar, category
 * names whole, the value axis where the eye expects it, and a legend only when there is more than one series.
 * Heights grow with the number of bars, so bars never shrink to slivers.
 */
final class BarCharts {
    static final int WIDTH = 960;
    /** A vertical chart labels its bars while there are at most this many (more leave no room for the text). */
    static final int MAX_LABELLED_BARS = 16;

    /** What the number at the end of a bar says. */
    enum Values {
        /** "12 (8%)": the count and its share of every bar together. */
        COUNT_AND_SHARE,
        /** "12" */
        COUNT,
        /** "37%" of a value in [0, 1]. */
        PERCENT
    }

    private BarCharts() {}

    /**
     * Horizontal bars, one row per category (class, reason): long names stay readable on the left.
     *
     * @param stacked series stack into one bar per category (parts of a whole, e.g. images per source); otherwise
     *     side by side (different measures of one category)
     */
    static JFreeChart horizontal(
            String title, String subtitle, String valueAxis, CategoryDataset data, boolean stacked, Values values) {
        BarRenderer renderer = stacked ? new StackedBarRenderer() : new BarRenderer();
        JFreeChart chart =
                chart(title, subtitle, valueAxis, data, PlotOrientation.HORIZONTAL, renderer, values, stacked);
        renderer.setDefaultPositiveItemLabelPosition(
                new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
        renderer.setItemLabelAnchorOffset(4);
        CategoryAxis categories = chart.getCategoryPlot().getDomainAxis();
        // names such as emission_reflection_nebula: up to 40% of the width, on two lines if they must
        categories.setMaximumCategoryLabelWidthRatio(0.4f);
        categories.setMaximumCategoryLabelLines(2);
        return chart;
    }

    /** Vertical bars over ordered buckets (a histogram); labels tilt when there are many buckets. */
    static JFreeChart vertical(
            String title, String subtitle, String categoryAxis, String valueAxis, CategoryDataset data) {
        BarRenderer renderer = new BarRenderer();
        int buckets = data.getColumnCount();
        JFreeChart chart = chart(
                title, subtitle, valueAxis, data, PlotOrientation.VERTICAL, renderer, Values.COUNT_AND_SHARE, false);
        // a value on every bar only while they have room for it
        renderer.setDefaultItemLabelsVisible(buckets <= MAX_LABELLED_BARS);
        renderer.setDefaultPositiveItemLabelPosition(
                new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        renderer.setMaximumBarWidth(0.12);
        renderer.setItemMargin(0);
        CategoryPlot plot = chart.getCategoryPlot();
        CategoryAxis axis = plot.getDomainAxis();
        axis.setLabel(categoryAxis);
        axis.setLabelFont(ChartStyle.LABEL);
        axis.setLabelPaint(ChartStyle.MUTED);
        axis.setCategoryMargin(0.15);
        if (buckets > 8) {
            axis.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        return chart;
    }

    /** Height for {@code categories} horizontal rows of {@code perCategory} bars each. */
    static int horizontalHeight(int categories, int perCategory, boolean legend, boolean subtitle) {
        int rows = Math.max(2, categories) * (16 + 20 * perCategory);
        return 110 + (legend ? 30 : 0) + (subtitle ? 22 : 0) + rows;
    }

    static void save(JFreeChart chart, Path file, int height) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, height);
    }

    private static JFreeChart chart(
            String title,
            String subtitle,
            String valueAxis,
            CategoryDataset data,
            PlotOrientation orientation,
            BarRenderer renderer,
            Values values,
            boolean stacked) {
        NumberAxis range = new NumberAxis(valueAxis);
        CategoryPlot plot = new CategoryPlot(data, new CategoryAxis(null), range, renderer);
        plot.setOrientation(orientation);
        // the value axis under horizontal bars (JFreeChart's default puts it on top), left of vertical ones
        plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        plot.setBackgroundPaint(ChartStyle.BACKGROUND);
        plot.setOutlineVisible(false);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinePaint(ChartStyle.GRID);
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        plot.setInsets(new RectangleInsets(8, 8, 8, 24));

        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        renderer.setItemMargin(0.08);
        for (int s = 0; s < data.getRowCount(); s++) {
            renderer.setSeriesPaint(s, ChartStyle.series(s));
        }
        renderer.setDefaultItemLabelGenerator(new ValueLabels(values, stacked));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(ChartStyle.VALUE);
        renderer.setDefaultItemLabelPaint(ChartStyle.TEXT);

        CategoryAxis categories = plot.getDomainAxis();
        categories.setTickLabelFont(ChartStyle.LABEL);
        categories.setTickLabelPaint(ChartStyle.TEXT);
        categories.setAxisLinePaint(ChartStyle.AXIS);
        categories.setTickMarksVisible(false);
        categories.setCategoryMargin(0.25);
        categories.setLowerMargin(0.02);
        categories.setUpperMargin(0.02);

        range.setLabelFont(ChartStyle.LABEL);
        range.setLabelPaint(ChartStyle.MUTED);
        range.setTickLabelFont(ChartStyle.TICK);
        range.setTickLabelPaint(ChartStyle.MUTED);
        range.setAxisLineVisible(false);
        range.setTickMarksVisible(false);
        // room past the longest bar for its value label
        range.setUpperMargin(0.15);
        if (values == Values.PERCENT) {
            // shares: the axis ends at 100% (a tick at 110% would mean nothing), with room for a label past a full bar
            range.setRange(0, 1.08);
            range.setTickUnit(new NumberTickUnit(0.1, NumberFormat.getPercentInstance(Locale.ROOT)));
        } else {
            range.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        }

        JFreeChart chart = new JFreeChart(null, ChartStyle.TITLE, plot, data.getRowCount() > 1);
        chart.setBackgroundPaint(ChartStyle.BACKGROUND);
        chart.setPadding(new RectangleInsets(12, 16, 12, 16));
        // JFreeChart wraps a title to the chart's width rather than cutting it
        TextTitle heading = new TextTitle(title, ChartStyle.TITLE);
        heading.setPaint(ChartStyle.TEXT);
        heading.setHorizontalAlignment(HorizontalAlignment.LEFT);
        heading.setPadding(new RectangleInsets(4, 8, 2, 8));
        chart.setTitle(heading);
        if (subtitle != null) {
            TextTitle sub = new TextTitle(subtitle, ChartStyle.SUBTITLE);
            sub.setPaint(ChartStyle.MUTED);
            sub.setHorizontalAlignment(HorizontalAlignment.LEFT);
            sub.setPadding(new RectangleInsets(0, 8, 8, 8));
            chart.addSubtitle(0, sub); // under the title, above the legend
        }
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setPosition(RectangleEdge.TOP);
            legend.setHorizontalAlignment(HorizontalAlignment.LEFT);
            legend.setFrame(BlockBorder.NONE);
            legend.setItemFont(ChartStyle.LABEL);
            legend.setItemPaint(ChartStyle.TEXT);
            legend.setBackgroundPaint(ChartStyle.BACKGROUND);
        }
        return chart;
    }

    /**
     * The number at the end of a bar. Shares are of every bar together (all images, all quarantined records), which
     * is what a reader compares. Stacked bars get one label, their total, on their last segment.
     */
    static final class ValueLabels implements CategoryItemLabelGenerator, Serializable {
        private static final long serialVersionUID = 1L;
        private final Values values;
        private final boolean stacked;

        ValueLabels(Values values, boolean stacked) {
            this.values = values;
            this.stacked = stacked;
        }

        @Override
        public String generateRowLabel(CategoryDataset dataset, int row) {
            return String.valueOf(dataset.getRowKey(row));
        }

        @Override
        public String generateColumnLabel(CategoryDataset dataset, int column) {
            return String.valueOf(dataset.getColumnKey(column));
        }

        @Override
        public String generateLabel(CategoryDataset dataset, int row, int column) {
            Number v = dataset.getValue(row, column);
            if (v == null || v.doubleValue() == 0) {
                return null; // an empty bucket's "0 (0%)" is noise; the missing bar says it
            }
            double value = v.doubleValue();
            if (stacked) {
                for (int r = row + 1; r < dataset.getRowCount(); r++) {
                    Number later = dataset.getValue(r, column);
                    if (later != null && later.doubleValue() != 0) {
                        return null; // a later segment ends this bar and carries its label
                    }
                }
                value = total(dataset, column, column + 1);
            }
            return label(value, total(dataset, 0, dataset.getColumnCount()));
        }

        String label(double value, double total) {
            return switch (values) {
                case PERCENT -> ChartStyle.percent(value);
                case COUNT -> Long.toString(Math.round(value));
                case COUNT_AND_SHARE ->
                    Math.round(value) + " (" + ChartStyle.percent(total == 0 ? 0 : value / total) + ")";
            };
        }

        private static double total(CategoryDataset dataset, int fromColumn, int toColumn) {
            double sum = 0;
            for (int r = 0; r < dataset.getRowCount(); r++) {
                for (int c = fromColumn; c < toColumn; c++) {
                    Number n = dataset.getValue(r, c);
                    sum += n == null ? 0 : n.doubleValue();
                }
            }
            return sum;
        }
    }
}

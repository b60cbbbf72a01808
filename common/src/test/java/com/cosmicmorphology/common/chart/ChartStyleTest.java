package com.cosmicmorphology.common.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.FontMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared chart helpers: wrapping that never drops text, the heat ramp, readable ink, percentages. */
class ChartStyleTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private final FontMetrics fm = ChartStyle.metrics(ChartStyle.LABEL);

    @Test
    void wrappingBreaksAtSpacesThenAfterUnderscoresAndKeepsEveryCharacter() {
        String title = "Model keras_mobilenet_v2_imagenet_block10_features_224_f6279edd4 on test, accuracy 0.722";
        int width = fm.stringWidth("keras_mobilenet_v2_");
        List<String> lines = ChartStyle.wrap(title, fm, width);
        assertThat(lines)
                .hasSizeGreaterThan(3)
                .allSatisfy(l -> assertThat(fm.stringWidth(l)).isLessThanOrEqualTo(width));
        assertThat(String.join("", lines).replace(" ", "")).isEqualTo(title.replace(" ", ""));
        assertThat(lines.get(0)).isEqualTo("Model");
        assertThat(lines.get(1)).endsWith("_"); // the long word broke after a separator, not inside a name part
        assertThat(ChartStyle.wrap("galaxy", fm, 1000)).containsExactly("galaxy");
        // narrower than any separator allows: still whole, character by character if it must
        assertThat(String.join("", ChartStyle.wrap("supernova", fm, fm.stringWidth("sup"))))
                .isEqualTo("supernova");
    }

    @Test
    void theHeatRampRunsFromNearWhiteToDarkAndInkStaysReadable() {
        Color low = ChartStyle.heat(0);
        Color high = ChartStyle.heat(1);
        assertThat(low.getRed() + low.getGreen() + low.getBlue()).isGreaterThan(700);
        assertThat(high.getRed() + high.getGreen() + high.getBlue()).isLessThan(250);
        assertThat(ChartStyle.heat(2)).isEqualTo(high);
        assertThat(ChartStyle.heat(Double.NaN)).isEqualTo(low);
        assertThat(ChartStyle.textOn(high)).isEqualTo(Color.WHITE);
        assertThat(ChartStyle.textOn(low)).isEqualTo(ChartStyle.TEXT);
        assertThat(ChartStyle.percent(0.004)).isEqualTo("<1%");
        assertThat(ChartStyle.percent(0.5)).isEqualTo("50%");
        assertThat(ChartStyle.percent(0)).isEqualTo("0%");
    }
}

package com.cosmicmorphology.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigOverridesTest {
    @Test
    void optionsNotGivenLeaveTheirKeysAloneAndListsTakeTheCommaForm() {
        Integer notGiven = null;
        Map<String, String> m = new ConfigOverrides()
                .set("split.seed", 7L)
                .set("inputs.size", notGiven)
                .set("split.ratios", List.of(0.7, 0.2, 0.1))
                .setAll(Map.of("training.l2", "0.001"))
                .asMap();
        assertThat(m)
                .containsOnly(
                        Map.entry("split.seed", "7"),
                        Map.entry("split.ratios", "0.7,0.2,0.1"),
                        Map.entry("training.l2", "0.001"));
    }
}

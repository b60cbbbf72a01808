package com.cosmicmorphology.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConfigValuesTest {
    @Test
    void keysRoundTripAndABadValueNamesTheSettingAndTheValidOnes() {
        for (ResizePolicy p : ResizePolicy.values()) {
            assertThat(ResizePolicy.parse(p.key())).isEqualTo(p);
        }
        assertThat(ResizePolicy.CENTER_CROP.key()).isEqualTo("center-crop");
        assertThat(LabelPolicy.parse("MOST_SPECIFIC")).isEqualTo(LabelPolicy.MOST_SPECIFIC);
        assertThatThrownBy(() -> ResizePolicy.parse("stretch"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("inputs.policy: 'stretch' is not valid; valid values: center-crop, pad");
        assertThatThrownBy(() -> LabelPolicy.parse("newest"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nasa.label-policy")
                .hasMessageContaining("most-specific, first-alphabetical, quarantine");
    }
}

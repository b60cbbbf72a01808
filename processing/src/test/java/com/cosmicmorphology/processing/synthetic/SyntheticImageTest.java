package com.cosmicmorphology.processing.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SyntheticImageTest {
    private static byte[] image(int size, long seed) {
        byte[] b = new byte[size * size * 3];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void theSameSeedDrawsTheSameVariantAndAnotherSeedAnother() {
        byte[] src = image(32, 1);
        SyntheticImage.Variant a = SyntheticImage.of(src, 32, 7);
        assertThat(SyntheticImage.of(src, 32, 7).pixels()).isEqualTo(a.pixels());
        assertThat(SyntheticImage.of(src, 32, 7).transform()).isEqualTo(a.transform());
        assertThat(SyntheticImage.of(src, 32, 8).pixels()).isNotEqualTo(a.pixels());
        assertThat(a.pixels()).hasSize(src.length).isNotEqualTo(src);
    }

    @Test
    void theIdentityWarpGivesTheImageBackAndBordersReflect() {
        byte[] src = image(16, 2);
        float[] same = SyntheticImage.warp(src, 16, 0, false, 1.0, 0, 0);
        for (int i = 0; i < src.length; i++) {
            assertThat(same[i]).isEqualTo((src[i] & 0xff) / 255f, org.assertj.core.data.Offset.offset(1e-6f));
        }
        assertThat(SyntheticImage.reflect(-1, 16)).isZero();
        assertThat(SyntheticImage.reflect(-3, 16)).isEqualTo(2);
        assertThat(SyntheticImage.reflect(16, 16)).isEqualTo(15);
        assertThat(SyntheticImage.reflect(40, 16)).isEqualTo(8);
        // a quarter turn about the centre moves the top-left corner to the top-right (no black wedge, no loss)
        float[] turned = SyntheticImage.warp(src, 16, Math.PI / 2, false, 1.0, 0, 0);
        float[] back = SyntheticImage.warp(toBytes(turned), 16, -Math.PI / 2, false, 1.0, 0, 0);
        for (int i = 0; i < src.length; i++) {
            assertThat(back[i]).isEqualTo((src[i] & 0xff) / 255f, org.assertj.core.data.Offset.offset(1e-3f));
        }
    }

    @Test
    void blurKeepsAFlatImageFlatAndSpreadsAPoint() {
        float[] flat = new float[8 * 8 * 3];
        java.util.Arrays.fill(flat, 0.4f);
        for (float v : SyntheticImage.gaussianBlur(flat, 8, 1.2)) {
            assertThat(v).isEqualTo(0.4f, org.assertj.core.data.Offset.offset(1e-5f));
        }
        float[] point = new float[9 * 9 * 3];
        point[(4 * 9 + 4) * 3] = 1f;
        float[] spread = SyntheticImage.gaussianBlur(point, 9, 1.0);
        double sum = 0;
        for (int i = 0; i < spread.length; i += 3) {
            sum += spread[i];
        }
        assertThat(sum).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(spread[(4 * 9 + 4) * 3]).isLessThan(0.2f);
    }

    @Test
    void aVariantStaysCloseToItsParentOnAverage() {
        // photometric changes are mild: a flat grey image stays grey within the drawn stretch and noise
        byte[] grey = new byte[24 * 24 * 3];
        java.util.Arrays.fill(grey, (byte) 128);
        for (long seed = 0; seed < 20; seed++) {
            byte[] v = SyntheticImage.of(grey, 24, seed).pixels();
            double mean = 0;
            for (byte b : v) {
                mean += (b & 0xff) / 255.0;
            }
            mean /= v.length;
            assertThat(mean).isBetween(0.25, 0.75);
        }
    }

    @Test
    void aWronglySizedInputIsRefusedNamingTheSizes() {
        assertThatThrownBy(() -> SyntheticImage.of(new byte[10], 4, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10 bytes, not 4x4x3");
    }

    private static byte[] toBytes(float[] f) {
        byte[] b = new byte[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = (byte) Math.round(f[i] * 255);
        }
        return b;
    }
}

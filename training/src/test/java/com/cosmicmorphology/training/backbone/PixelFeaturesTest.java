package com.cosmicmorphology.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.cosmicmorphology.training.data.Views;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PixelFeaturesTest {
    private static final int S = 32;

    /** A red disc of radius r (in px) on black, off centre by dx, as NHWC floats. */
    private static float[] disc(double r, int dx, float red, float green, float blue) {
        float[] px = new float[S * S * 3];
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                if (Math.hypot(y - (S - 1) / 2.0, x - (S - 1) / 2.0 - dx) <= r) {
                    int o = 3 * (y * S + x);
                    px[o] = red;
                    px[o + 1] = green;
                    px[o + 2] = blue;
                }
            }
        }
        return px;
    }

    @Test
    void colourDarkSkyAndTheRadialProfileTellACompactRedObjectFromAnExtendedBlueOne() {
        float[] compact = PixelFeatures.one(disc(5, 0, 0.9f, 0.2f, 0.1f), 0, S, S);
        float[] extended = PixelFeatures.one(disc(20, 0, 0.2f, 0.3f, 0.9f), 0, S, S);
        assertThat(compact).hasSize(PixelFeatures.SIZE);
        // mean R > mean B for the red object, the other way round for the blue one
        assertThat(compact[0]).isGreaterThan(compact[2]);
        assertThat(extended[2]).isGreaterThan(extended[0]);
        // dark fraction (index 7): most of the frame around a small disc is sky
        double discArea = Math.PI * 25 / (S * S);
        assertThat(compact[7]).isCloseTo((float) (1 - discArea), within(0.03f));
        assertThat(extended[7]).isLessThan(0.3f);
        // the radial profile (indices 14..17, relative to the mean) falls off steeply for the compact object only
        assertThat(compact[14]).isGreaterThan(3 * compact[17]);
        assertThat(extended[14]).isCloseTo(extended[15], within(0.2f));
        // the centre's colour (18..20) is the object's, brighter than its average over the frame
        assertThat(compact[18])
                .isGreaterThan(0.7f)
                .isGreaterThan(5 * compact[20])
                .isGreaterThan(5 * compact[0]);
    }

    @Test
    void everyStatisticIsTheSameInEveryDihedralView() {
        byte[] rgb = new byte[S * S * 3];
        float[] f = disc(7, 6, 0.8f, 0.5f, 0.2f); // off centre: the views move it around
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) Math.round(f[i] * 255);
        }
        float[] first = null;
        for (int v = 0; v < 8; v++) {
            byte[] view = Views.view(rgb, S, v);
            float[] px = new float[view.length];
            for (int i = 0; i < px.length; i++) {
                px[i] = (view[i] & 0xff) / 255f;
            }
            float[] stats = PixelFeatures.one(px, 0, S, S);
            if (first == null) {
                first = stats;
            } else {
                assertThat(stats).as("view %d", v).containsExactly(first, within(1e-4f));
            }
        }
    }

    @Test
    void aBatchGivesOneRowPerImageInOrder() {
        float[] a = disc(5, 0, 1f, 0f, 0f);
        float[] b = disc(5, 0, 0f, 0f, 1f);
        float[] both = new float[a.length * 2];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        INDArray rows = PixelFeatures.of(Nd4j.create(both, new long[] {2, S, S, 3}));
        assertThat(rows.shape()).containsExactly(2, PixelFeatures.SIZE);
        assertThat(rows.getRow(0).toFloatVector()).containsExactly(PixelFeatures.one(a, 0, S, S), within(1e-6f));
        assertThat(rows.getRow(1).toFloatVector()).containsExactly(PixelFeatures.one(b, 0, S, S), within(1e-6f));
    }

    @Test
    void theKerasBackboneAppendsThemAfterTheLayersItPools() {
        KerasH5Backbone plain = new KerasH5Backbone(Path.of("../models/mobilenet_v2_imagenet_block10_features.h5"), S);
        KerasH5Backbone withStats = new KerasH5Backbone(
                Path.of("../models/mobilenet_v2_imagenet_block10_features.h5"),
                S,
                List.of("block_10_project_BN:avg", KerasH5Backbone.PIXEL_STATS));
        INDArray x = Nd4j.create(disc(8, 3, 0.7f, 0.6f, 0.3f), new long[] {1, S, S, 3});
        float[] p = plain.features(x).toFloatVector();
        float[] s = withStats.features(x).toFloatVector();
        assertThat(s).hasSize(p.length + PixelFeatures.SIZE);
        for (int i = 0; i < p.length; i++) {
            assertThat(s[i]).as("pooled feature %d", i).isCloseTo(p[i], within(1e-4f));
        }
        assertThat(java.util.Arrays.copyOfRange(s, p.length, s.length))
                .containsExactly(PixelFeatures.one(x.data().asFloat(), 0, S, S), within(1e-6f));
        assertThat(withStats.id()).isNotEqualTo(plain.id());
    }
}

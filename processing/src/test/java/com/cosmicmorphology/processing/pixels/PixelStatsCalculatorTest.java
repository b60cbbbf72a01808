package com.cosmicmorphology.processing.pixels;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.processing.ImagesFixture;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast paths of the calculator give exactly the numbers of the plain formulas they replace. */
class PixelStatsCalculatorTest {

    /** The per-pixel formula boxMeans used before its cell lookups were hoisted out of the pixel loop. */
    private static double[] boxMeansPerPixel(double[] grey, int w, int h, int gw, int gh) {
        double[] sum = new double[gw * gh];
        int[] count = new int[gw * gh];
        for (int y = 0; y < h; y++) {
            int cy = Math.min(gh - 1, (int) ((y + 0.5) * gh / h));
            for (int x = 0; x < w; x++) {
                int cx = Math.min(gw - 1, (int) ((x + 0.5) * gw / w));
                sum[cy * gw + cx] += grey[y * w + x];
                count[cy * gw + cx]++;
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] = count[i] == 0 ? 0 : sum[i] / count[i];
        }
        return sum;
    }

    @Test
    void boxMeansEqualThePerPixelFormulaBitForBit() {
        Random random = new Random(7);
        int[][] sizes = {{256, 256}, {256, 171}, {97, 256}, {5, 3}, {9, 8}, {1, 1}};
        for (int[] s : sizes) {
            double[] grey = random.doubles((long) s[0] * s[1]).toArray();
            for (int[] grid : new int[][] {{9, 8}, {16, 16}}) {
                assertThat(PixelStatsCalculator.boxMeans(grey, s[0], s[1], grid[0], grid[1]))
                        .as("%dx%d on %dx%d", s[0], s[1], grid[0], grid[1])
                        .containsExactly(boxMeansPerPixel(grey, s[0], s[1], grid[0], grid[1]));
            }
        }
    }

    @Test
    void packedRgbAndOtherLayoutsGiveTheSameStatistics() throws Exception {
        BufferedImage decoded =
                com.cosmicmorphology.common.image.Images.decode(ImagesFixture.bytes("galaxy/" + firstGalaxy()));
        // at most WORK_SIDE on its long side, so neither copy is rescaled and both hold the same pixels
        assertThat(Math.max(decoded.getWidth(), decoded.getHeight()))
                .isLessThanOrEqualTo(PixelStatsCalculator.WORK_SIDE);
        BufferedImage packed = copy(decoded, BufferedImage.TYPE_INT_RGB); // read straight from its raster
        BufferedImage bgr = copy(decoded, BufferedImage.TYPE_3BYTE_BGR); // converted through Java2D
        PixelStatsCalculator calc = new PixelStatsCalculator(0.1);
        PixelStats a = calc.compute(packed);
        PixelStats b = calc.compute(bgr);
        PixelStats again = calc.compute(packed); // the reused grey buffer carries nothing over
        for (PixelStats other : new PixelStats[] {b, again}) {
            assertThat(other.meanR()).isEqualTo(a.meanR());
            assertThat(other.stdB()).isEqualTo(a.stdB());
            assertThat(other.darkFraction()).isEqualTo(a.darkFraction());
            assertThat(other.sharpness()).isEqualTo(a.sharpness());
            assertThat(other.dhash()).isEqualTo(a.dhash());
            assertThat(other.signature()).isEqualTo(a.signature());
        }
        assertThat(a.brightness()).isBetween(0.0, 1.0).isGreaterThan(0.0); // a real photograph is not all black
    }

    private static String firstGalaxy() throws Exception {
        try (var s = java.nio.file.Files.list(ImagesFixture.SAMPLE.resolve("galaxy"))) {
            return s.sorted().findFirst().orElseThrow().getFileName().toString();
        }
    }

    private static BufferedImage copy(BufferedImage src, int type) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), type);
        out.getGraphics().drawImage(src, 0, 0, null);
        return out;
    }
}

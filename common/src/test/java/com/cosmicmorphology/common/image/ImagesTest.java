package com.cosmicmorphology.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.testing.PixelBombs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagesTest {
    private static final DecodeLimits SMALL = new DecodeLimits(1_000_000, 50_000_000);

    @Test
    void aPngDeclaringMorePixelsThanAllowedIsRefusedFromItsHeaderAlone() throws Exception {
        byte[] bomb = PixelBombs.greyPng(40_000, 40_000); // 1.6 Gpx: 1.6 GB as bytes, over any test heap
        assertThat(bomb.length).isLessThan(3_000_000);
        long before = usedHeap();
        assertThatThrownBy(() -> Images.read(bomb, DecodeLimits.DEFAULT))
                .isInstanceOfSatisfying(ImageRefused.class, e -> {
                    assertThat(e.reason()).isEqualTo("too_many_pixels");
                    assertThat(e.getMessage()).contains("40000 x 40000").contains("decode.max-declared-pixels");
                });
        assertThat(usedHeap() - before).isLessThan(200L << 20);
    }

    @Test
    void aJpegWhoseFrameHeaderClaimsAHugeSizeIsRefusedToo() throws Exception {
        byte[] bomb = PixelBombs.jpegClaiming(65_000, 65_000);
        assertThatThrownBy(() -> Images.decode(bomb, DecodeLimits.DEFAULT))
                .isInstanceOfSatisfying(
                        ImageRefused.class, e -> assertThat(e.reason()).isEqualTo("too_many_pixels"));
    }

    @Test
    void anImageOverTheDecodedBudgetIsDecodedSubsampledWithinIt() throws Exception {
        byte[] big = PixelBombs.greyPng(4_000, 3_000); // 12 Mpx, 12x the budget
        DecodedImage d = Images.read(big, SMALL);
        assertThat(d.width()).isEqualTo(4_000);
        assertThat(d.height()).isEqualTo(3_000);
        assertThat(d.subsampling()).isGreaterThan(1);
        long decoded = (long) d.pixels().getWidth() * d.pixels().getHeight();
        assertThat(decoded).isLessThanOrEqualTo(SMALL.maxDecodedPixels()).isGreaterThan(SMALL.maxDecodedPixels() / 2);
        assertThat(d.pixels().getWidth()).isEqualTo((4_000 + d.subsampling() - 1) / d.subsampling());
    }

    @Test
    void anImageWithinTheBudgetIsDecodedWhole() throws Exception {
        BufferedImage img = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        img.setRGB(299, 199, 0xff8040);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        DecodedImage d = Images.read(png.toByteArray(), SMALL);
        assertThat(d.subsampling()).isEqualTo(1);
        assertThat(d.format()).isEqualTo("png");
        assertThat(d.pixels().getRGB(299, 199) & 0xffffff).isEqualTo(0xff8040);
    }

    @Test
    void bytesNoDecoderKnowsAreNullForDecodeAndUnsupportedForRead() throws Exception {
        byte[] text = "<html>not an image</html>".getBytes();
        assertThat(Images.decode(text)).isNull();
        assertThatThrownBy(() -> Images.read(text, SMALL))
                .isInstanceOfSatisfying(
                        ImageRefused.class, e -> assertThat(e.reason()).isEqualTo("unsupported_format"));
    }

    @Test
    void aHeaderThatPromisesAPngButBreaksOffIsUndecodable() throws Exception {
        byte[] png = PixelBombs.greyPng(64, 64);
        byte[] cut = java.util.Arrays.copyOf(png, 40);
        assertThatThrownBy(() -> Images.read(cut, SMALL))
                .isInstanceOfSatisfying(
                        ImageRefused.class, e -> assertThat(e.reason()).isEqualTo("undecodable"));
    }

    @Test
    void subsamplingIsTheSmallestStepWithinTheBudget() {
        DecodeLimits l = new DecodeLimits(100, 1_000_000);
        assertThat(l.subsampling(10, 10)).isEqualTo(1);
        assertThat(l.subsampling(11, 10)).isEqualTo(2);
        for (int w = 1; w < 400; w += 7) {
            for (int h = 1; h < 400; h += 11) {
                int s = l.subsampling(w, h);
                assertThat(ceil(w, s) * ceil(h, s)).isLessThanOrEqualTo(100);
                if (s > 1) {
                    assertThat(ceil(w, s - 1) * ceil(h, s - 1)).isGreaterThan(100);
                }
            }
        }
    }

    @Test
    void concurrentDecodesWaitWhileTheSharedBudgetIsHeld() throws Exception {
        DecodeMemory memory = new DecodeMemory(4L << 20); // 4 MiB: one 1 Mpx RGB raster
        DecodeMemory.Lease first = memory.acquire(1 << 20);
        AtomicBoolean secondRan = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (DecodeMemory.Lease second = memory.acquire(1 << 19)) {
                secondRan.set(true);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        });
        t.start();
        assertThat(done.await(300, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(secondRan).isFalse();
        first.close();
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(secondRan).isTrue();
        // a decode larger than the whole budget still runs (alone), and everything is given back
        try (DecodeMemory.Lease huge = memory.acquire(Long.MAX_VALUE / 8)) {
            assertThat(memory.available()).isZero();
        }
        assertThat(memory.available()).isEqualTo(4096);
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}

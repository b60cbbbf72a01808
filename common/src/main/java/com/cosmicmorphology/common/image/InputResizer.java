package com.cosmicmorphology.common.image;

import com.cosmicmorphology.common.config.ResizePolicy;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Makes the square RGB model input of an image: centre crop or black padding, bilinear resampling. */
public final class InputResizer {
    private InputResizer() {}

    /** Returns {@code size*size*3} bytes, row-major, RGB interleaved (HWC): the layout of Keras/NHWC models. */
    public static byte[] toHwcRgb(BufferedImage src, int size, ResizePolicy policy) {
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, size, size);
        int w = src.getWidth();
        int h = src.getHeight();
        if (policy == ResizePolicy.CENTER_CROP) {
            int side = Math.min(w, h);
            int x0 = (w - side) / 2;
            int y0 = (h - side) / 2;
            g.drawImage(src, 0, 0, size, size, x0, y0, x0 + side, y0 + side, null);
        } else {
            double f = (double) size / Math.max(w, h);
            int tw = Math.max(1, (int) Math.round(w * f));
            int th = Math.max(1, (int) Math.round(h * f));
            g.drawImage(src, (size - tw) / 2, (size - th) / 2, tw, th, null);
        }
        g.dispose();
        int[] px = out.getRGB(0, 0, size, size, null, 0, size);
        byte[] hwc = new byte[size * size * 3];
        for (int i = 0; i < px.length; i++) {
            hwc[3 * i] = (byte) (px[i] >> 16);
            hwc[3 * i + 1] = (byte) (px[i] >> 8);
            hwc[3 * i + 2] = (byte) px[i];
        }
        return hwc;
    }
}

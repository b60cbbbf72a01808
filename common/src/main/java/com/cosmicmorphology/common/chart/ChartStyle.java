package com.cosmicmorphology.common.chart;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The look every chart of the project shares (the EDA report's and evaluate's confusion matrices): white
 * background, one colour-blind-safe palette, one sequential ramp for heat maps, the same fonts, and the text
 * helpers that keep titles and long class names whole. Only java.awt, so any module can draw with it without
 * a charting library.
 */
public final class ChartStyle {
    public static final Color BACKGROUND = Color.WHITE;
    public static final Color TEXT = new Color(0x222222);
    public static final Color MUTED = new Color(0x666666);
    public static final Color GRID = new Color(0xE3E3E3);
    public static final Color AXIS = new Color(0xB0B0B0);

    /**
     * Okabe and Ito's palette (blue first): its colours stay distinguishable under the common colour-vision
     * deficiencies, which a default red/blue/green series set does not.
     */
    public static final List<Color> PALETTE = List.of(
            new Color(0x0072B2),
            new Color(0xE69F00),
            new Color(0x009E73),
            new Color(0xCC79A7),
            new Color(0x56B4E9),
            new Color(0xD55E00),
            new Color(0xF0E442),
            new Color(0x000000));

    /** The heat-map ramp's ends: near-white to a dark blue, so a cell's number stays legible at both ends. */
    private static final Color HEAT_LOW = new Color(0xF7FBFF);

    private static final Color HEAT_HIGH = new Color(0x08306B);

    public static final String FAMILY = Font.SANS_SERIF;
    public static final Font TITLE = new Font(FAMILY, Font.BOLD, 18);
    public static final Font SUBTITLE = new Font(FAMILY, Font.PLAIN, 13);
    public static final Font HEADING = new Font(FAMILY, Font.BOLD, 14);
    public static final Font LABEL = new Font(FAMILY, Font.PLAIN, 13);
    public static final Font TICK = new Font(FAMILY, Font.PLAIN, 12);
    public static final Font VALUE = new Font(FAMILY, Font.PLAIN, 12);
    public static final Font VALUE_BOLD = new Font(FAMILY, Font.BOLD, 13);

    private ChartStyle() {}

    /** Series colour i (the palette repeats past its end). */
    public static Color series(int i) {
        return PALETTE.get(Math.floorMod(i, PALETTE.size()));
    }

    /** A share in [0, 1] on the heat-map ramp (values outside are clamped; NaN reads as 0). */
    public static Color heat(double share) {
        double s = Double.isNaN(share) ? 0 : Math.max(0, Math.min(1, share));
        return new Color(
                mix(HEAT_LOW.getRed(), HEAT_HIGH.getRed(), s),
                mix(HEAT_LOW.getGreen(), HEAT_HIGH.getGreen(), s),
                mix(HEAT_LOW.getBlue(), HEAT_HIGH.getBlue(), s));
    }

    private static int mix(int a, int b, double s) {
        return (int) Math.round(a + (b - a) * s);
    }

    /** Black or white, whichever reads better on this fill (relative luminance, sRGB weights). */
    public static Color textOn(Color fill) {
        double y = 0.2126 * fill.getRed() + 0.7152 * fill.getGreen() + 0.0722 * fill.getBlue();
        return y < 140 ? Color.WHITE : TEXT;
    }

    /** "37%"; shares under one percent read "<1%" rather than a misleading "0%". */
    public static String percent(double share) {
        if (share > 0 && share < 0.005) {
            return "<1%";
        }
        return Math.round(share * 100) + "%";
    }

    /** A white canvas with antialiased text and shapes. */
    public static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    /** Metrics of a font without a canvas to draw on (for sizing an image before it exists). */
    public static FontMetrics metrics(Font font) {
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(probe);
        try {
            return g.getFontMetrics(font);
        } finally {
            g.dispose();
        }
    }

    /**
     * The text broken into lines no wider than {@code width}: at spaces first; a single word still too wide
     * (a class name such as {@code emission_reflection_nebula}) breaks after an underscore or dash, and only
     * as a last resort inside a run of letters. Nothing is dropped or cut with an ellipsis.
     */
    public static List<String> wrap(String text, FontMetrics fm, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (fm.stringWidth(candidate) <= width) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            if (line.length() > 0) {
                lines.add(line.toString());
                line.setLength(0);
            }
            for (String piece : breakWord(word, fm, width)) {
                if (line.length() > 0) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                line.append(piece);
            }
        }
        if (line.length() > 0 || lines.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** One word into pieces that fit: after separators where possible, else by characters. */
    private static List<String> breakWord(String word, FontMetrics fm, int width) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            if (fm.stringWidth(word.substring(start)) <= width) {
                pieces.add(word.substring(start));
                break;
            }
            int cut = -1;
            for (int i = start + 1; i < word.length(); i++) {
                char c = word.charAt(i - 1);
                if ((c == '_' || c == '-') && fm.stringWidth(word.substring(start, i)) <= width) {
                    cut = i;
                }
            }
            if (cut < 0) { // no separator fits: as many characters as fit, at least one
                cut = start + 1;
                while (cut < word.length() && fm.stringWidth(word.substring(start, cut + 1)) <= width) {
                    cut++;
                }
            }
            pieces.add(word.substring(start, cut));
            start = cut;
        }
        return pieces;
    }

    /** Width of the widest string (0 for none). */
    public static int widest(List<String> texts, FontMetrics fm) {
        return texts.stream().mapToInt(fm::stringWidth).max().orElse(0);
    }
}

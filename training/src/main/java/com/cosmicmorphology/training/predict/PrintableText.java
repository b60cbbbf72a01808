package com.cosmicmorphology.training.predict;

/**
 * Text from files (names, decoder messages) made safe for a terminal or a log line: control characters (a
 * newline would forge a log line, an escape sequence would drive the terminal) and invisible formatting
 * characters (a right-to-left override would show a name reversed) are written as {@code \\uXXXX}.
 */
public final class PrintableText {
    private PrintableText() {}

    public static String of(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}

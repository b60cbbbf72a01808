package com.cosmicmorphology.training.predict;

import java.util.List;

/**
 * CSV cells for files people open in spreadsheets. RFC 4180: a cell holding a quote, comma, CR or LF is
 * quoted and its quotes doubled (a file name may hold any of them). OWASP's rule against formula injection: a
 * cell starting with {@code =}, {@code +}, {@code -}, {@code @}, TAB or CR is a formula to Excel and LibreOffice
 * (a file named {@code =HYPERLINK(...)} would run as one), so it gets a leading {@code '}, which spreadsheets
 * show as text and hide.
 */
public final class CsvCells {
    /** RFC 4180's record separator. */
    public static final String EOL = "\r\n";

    private CsvCells() {}

    /** One cell; null is empty. */
    public static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String v = formulaStart(value.charAt(0)) ? "'" + value : value;
        boolean quote = v.indexOf('"') >= 0
                || v.indexOf(',') >= 0
                || v.indexOf('\r') >= 0
                || v.indexOf('\n') >= 0
                || v.charAt(0) == '\'';
        return quote ? '"' + v.replace("\"", "\"\"") + '"' : v;
    }

    /** One record with its line end. */
    public static String row(List<String> values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(cell(values.get(i)));
        }
        return b.append(EOL).toString();
    }

    private static boolean formulaStart(char c) {
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
    }
}

package com.cosmicmorphology.training.predict;

import java.util.ArrayList;
import java.util.List;

/** A strict RFC 4180 reader for the tests: fails on anything a conforming writer would not produce. */
final class Rfc4180 {
    private Rfc4180() {}

    static List<List<String>> parse(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        int i = 0;
        boolean quoted = false;
        boolean cellStarted = false;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                    i++;
                    char next = i < text.length() ? text.charAt(i) : '\r';
                    if (next != ',' && next != '\r') {
                        throw new IllegalArgumentException("text after a closing quote at " + i);
                    }
                    continue;
                }
                cell.append(c);
                i++;
                continue;
            }
            if (c == '"') {
                if (cellStarted) {
                    throw new IllegalArgumentException("quote inside an unquoted cell at " + i);
                }
                quoted = true;
                cellStarted = true;
                i++;
            } else if (c == ',') {
                row.add(cell.toString());
                cell.setLength(0);
                cellStarted = false;
                i++;
            } else if (c == '\r') {
                if (i + 1 >= text.length() || text.charAt(i + 1) != '\n') {
                    throw new IllegalArgumentException("CR without LF at " + i);
                }
                row.add(cell.toString());
                rows.add(row);
                row = new ArrayList<>();
                cell.setLength(0);
                cellStarted = false;
                i += 2;
            } else if (c == '\n') {
                throw new IllegalArgumentException("bare LF outside quotes at " + i);
            } else {
                cell.append(c);
                cellStarted = true;
                i++;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quoted cell");
        }
        if (cellStarted || !row.isEmpty()) {
            throw new IllegalArgumentException("last record has no CRLF");
        }
        return rows;
    }
}

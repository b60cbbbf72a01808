package com.cosmicmorphology.training.predict;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cells survive a round trip through an RFC 4180 reader, and none reaches a spreadsheet as a formula. */
class CsvCellsTest {
    @Test
    void quotesCommasAndLineBreaksRoundTrip() {
        List<String> values = List.of("plain", "a,b", "say \"hi\"", "two\nlines", "cr\rlf\r\n", "", "'already");
        List<List<String>> back = Rfc4180.parse(CsvCells.row(values));
        assertThat(back).containsExactly(values);
    }

    @Test
    void cellsThatSpreadsheetsWouldRunAsFormulasStartWithAQuote() {
        for (String v : new String[] {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\",\"y\")"}) {
            String cell = Rfc4180.parse(CsvCells.row(List.of(v))).get(0).get(0);
            assertThat(cell).as(v).isEqualTo("'" + v);
        }
        assertThat(CsvCells.cell("m31.jpg")).isEqualTo("m31.jpg");
        assertThat(CsvCells.cell(null)).isEmpty();
    }

    @Test
    void aRowEndsWithCrLf() {
        assertThat(CsvCells.row(Arrays.asList("a", null, "c"))).isEqualTo("a,,c\r\n");
    }

    @Test
    void printableTextEscapesWhatWouldForgeALogLineOrDriveATerminal() {
        assertThat(PrintableText.of("a\nb\u001b[31m\u202ec")).isEqualTo("a\\u000ab\\u001b[31m\\u202ec");
    }
}

package com.cosmicmorphology.common.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/architecture.md is the users' copy of the lake contract; LakeTable is the code's. They must agree. */
class LakeContractDocTest {
    @Test
    void everyTableInCodeIsDocumentedWithExactlyItsColumns() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("../docs/architecture.md"));
        int start = lines.indexOf("## Every table the project writes (current columns)");
        assertThat(start).as("section in docs/architecture.md").isPositive();
        Map<String, List<String>> documented = new HashMap<>();
        for (String line : lines.subList(start, lines.size())) {
            String[] cells = line.split("\\|");
            if (cells.length >= 4 && cells[1].trim().matches("`[a-z_]+`")) {
                documented.put(
                        cells[1].trim().replace("`", ""),
                        Arrays.stream(cells[3].split(","))
                                .map(c -> c.trim().replaceAll("\\s*\\(.*\\)$", ""))
                                .toList());
            }
        }
        for (LakeTable t : LakeTable.values()) {
            assertThat(documented)
                    .as("docs/architecture.md lists " + t.tableName())
                    .containsKey(t.tableName());
            assertThat(documented.get(t.tableName()))
                    .as("columns of " + t.tableName() + " in the doc")
                    .containsExactly(t.schema().fieldNames());
            assertThat(t.schema().fieldNames())
                    .as("keys of " + t.tableName())
                    .contains(t.keys().toArray(String[]::new));
        }
    }
}

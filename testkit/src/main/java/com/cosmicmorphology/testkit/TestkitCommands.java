package com.cosmicmorphology.testkit;

import com.cosmicmorphology.common.cli.CommandProvider;
import com.cosmicmorphology.testkit.bench.IngestBenchmark;
import java.util.List;

/** Registers the benchmarks that need the replay server ({@code bench ingest}) with ./cosmic (META-INF/services). */
public final class TestkitCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of();
    }

    @Override
    public List<Object> benchmarks() {
        return List.of(new IngestBenchmark());
    }
}

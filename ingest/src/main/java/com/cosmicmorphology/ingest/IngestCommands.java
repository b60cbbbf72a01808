package com.cosmicmorphology.ingest;

import com.cosmicmorphology.common.cli.CommandProvider;
import com.cosmicmorphology.ingest.bench.IngestBenchmark;
import java.util.List;

/** Registers ingest's commands with ./cosmic (META-INF/services). */
public final class IngestCommands implements CommandProvider {
  @Override
  public List<Object> commands() {
    return List.of(new IngestCommand());
  }

  @Override
  public List<Object> benchmarks() {
    return List.of(new IngestBenchmark());
  }
}

package com.cosmicmorphology.processing;

import com.cosmicmorphology.common.cli.CommandProvider;
import com.cosmicmorphology.processing.bench.ProcessingBenchmark;
import java.util.List;

/** Registers processing's commands with ./cosmic (META-INF/services). */
public final class ProcessingCommands implements CommandProvider {
  @Override
  public List<Object> commands() {
    return List.of(new ProcessingCli.Eda(), new ProcessingCli.Clean(), new ProcessingCli.Split(),
        new ProcessingCli.Prepare());
  }

  @Override
  public List<Object> benchmarks() {
    return List.of(new ProcessingBenchmark());
  }
}

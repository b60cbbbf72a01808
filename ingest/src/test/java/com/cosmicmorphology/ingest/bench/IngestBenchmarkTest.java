package com.cosmicmorphology.ingest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.cosmicmorphology.common.testing.BenchOutput;
import com.cosmicmorphology.common.testing.SharedSpark;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench ingest at a tiny size: the RESULT line, each side's work, the baseline's threads. */
class IngestBenchmarkTest {
  @TempDir Path tmp;

  @Test
  void oursIsReportedAgainstADownloaderOfTheSameConcurrency() {
    SharedSpark.get();
    BenchOutput b = BenchOutput.run(new IngestBenchmark(), "--items", "30", "--latency-ms", "2",
        "--images", "../data/sample/stellarium", "--lake", tmp.resolve("lake").toString());
    assertThat(b.exitCode).as(b.text).isZero();
    assertThat(b.number("ratio")).isCloseTo(b.number("ours") / b.number("baseline"), offset(0.002));
    assertThat(b.number("same_concurrency_ratio")).isEqualTo(b.number("ratio"));
    assertThat(b.number("sequential_ratio")).isCloseTo(b.number("ours") / b.number("sequential_img_s"),
        offset(0.002));
    assertThat(b.result).containsEntry("items", "30").containsEntry("baseline_items", "30");
    assertThat(b.number("baseline_threads")).isEqualTo(b.number("concurrency")).isGreaterThan(1);
    assertThat(b.text).contains("rows in images: 30");
  }
}

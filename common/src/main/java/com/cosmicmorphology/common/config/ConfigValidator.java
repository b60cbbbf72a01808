package com.cosmicmorphology.common.config;

import java.util.Set;

/** Range and shape checks the type system cannot express; each failure names the key and the valid range. */
final class ConfigValidator {
  private static final Set<String> LAKE_SCHEMES = Set.of("file", "s3a", "hdfs", "abfs", "abfss", "gs");

  private ConfigValidator() {}

  static void validate(CosmicConfig c) {
    String root = c.lake().root();
    if (root == null || root.isBlank()) {
      throw new ConfigException("lake.root is empty; set it to a local path (./lake) or an s3a://bucket/prefix URI");
    }
    int colon = root.indexOf("://");
    if (colon > 0) {
      String scheme = root.substring(0, colon);
      if (!LAKE_SCHEMES.contains(scheme)) {
        throw new ConfigException("lake.root '" + root + "' has scheme '" + scheme + "'; valid schemes: "
            + String.join(", ", new java.util.TreeSet<>(LAKE_SCHEMES)) + " (use s3a://, not s3://)");
      }
    }
    positive("spark.shuffle-partitions", c.spark().shufflePartitions());
    positive("nasa.page-size", c.nasa().pageSize());
    atLeast("nasa.max-pages", c.nasa().maxPages(), 0);
    if (c.nasa().queries() == null) {
      throw new ConfigException("nasa.queries must be a list of search terms");
    }
    CosmicConfig.Http h = c.nasa().http();
    positive("nasa.http.connect-timeout-ms", h.connectTimeoutMs());
    positive("nasa.http.read-timeout-ms", h.readTimeoutMs());
    atLeast("nasa.http.max-retries", h.maxRetries(), 0);
    positive("nasa.http.backoff-base-ms", h.backoffBaseMs());
    atLeast("nasa.http.backoff-max-ms", h.backoffMaxMs(), h.backoffBaseMs());
    atLeast("nasa.http.max-retry-after-s", h.maxRetryAfterS(), 0);
    between("nasa.http.concurrency", h.concurrency(), 1, 256);
    atLeast("nasa.http.rate-limit-low-watermark", h.rateLimitLowWatermark(), 0);
    atLeast("nasa.http.rate-limit-pause-ms", h.rateLimitPauseMs(), 0);
    between("ingest.batch-size", c.ingest().batchSize(), 1, 100_000);
    positive("ingest.max-image-bytes", c.ingest().maxImageBytes());
    positive("progress.interval-s", c.progress().intervalS());
  }

  private static void positive(String key, long v) {
    atLeast(key, v, 1);
  }

  private static void atLeast(String key, long v, long min) {
    if (v < min) {
      throw new ConfigException(key + " must be at least " + min + ", got " + v);
    }
  }

  private static void between(String key, long v, long min, long max) {
    if (v < min || v > max) {
      throw new ConfigException(key + " must be between " + min + " and " + max + ", got " + v);
    }
  }
}

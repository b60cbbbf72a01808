package com.cosmicmorphology.common.lake;

/** The contract tables of the lake (docs/architecture.md, the single copy of the contract), with the command that writes each. */
public enum LakeTable {
  NASA_ITEMS("nasa_items", "ingest nasa"),
  IMAGES("images", "ingest nasa or ingest folder"),
  QUARANTINE("quarantine", "ingest nasa or ingest folder"),
  SPLITS("splits", "split"),
  PREDICTIONS("predictions", "predict"),
  METRICS("metrics", "evaluate"),
  TRIALS("trials", "tune");

  private final String tableName;
  private final String producedBy;

  LakeTable(String tableName, String producedBy) {
    this.tableName = tableName;
    this.producedBy = producedBy;
  }

  public String tableName() {
    return tableName;
  }

  /** The command a user runs to create this table, for "run X first" messages. */
  public String producedBy() {
    return producedBy;
  }
}

package com.cosmicmorphology.common.lake;

import io.delta.tables.DeltaTable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code quarantine} table, written by every stage that rejects records (ingest, eda, inputs): a row is
 * new by (source, record_id, stage, reason), so re-runs add nothing twice.
 */
public final class QuarantineTable {
  public static final StructType SCHEMA = new StructType()
      .add("source", DataTypes.StringType, false)
      .add("record_id", DataTypes.StringType, false)
      .add("stage", DataTypes.StringType, false)
      .add("reason", DataTypes.StringType, false)
      .add("detail", DataTypes.StringType, true)
      .add("at", DataTypes.TimestampType, false);

  private final SparkSession spark;
  private final LakeLayout lake;

  public QuarantineTable(SparkSession spark, LakeLayout lake) {
    this.spark = spark;
    this.lake = lake;
  }

  /** Creates the table empty if absent; true when it was created now. */
  public boolean create() {
    String path = lake.location(LakeTable.QUARANTINE);
    if (DeltaTable.isDeltaTable(spark, path)) {
      return false;
    }
    DeltaTable.createIfNotExists(spark).location(path).addColumns(SCHEMA).execute();
    return true;
  }

  public void merge(List<QuarantineRow> rows) {
    if (!rows.isEmpty()) {
      merge(spark.createDataFrame(rows.stream().map(QuarantineRow::toRow).toList(), SCHEMA));
    }
  }

  /** Inserts rows (columns as {@link #SCHEMA}) whose key is new; one Delta commit. */
  public void merge(Dataset<Row> rows) {
    create();
    DeltaTable.forPath(spark, lake.location(LakeTable.QUARANTINE)).as("t")
        .merge(rows.dropDuplicates("source", "record_id", "stage", "reason").as("s"),
            "t.source = s.source AND t.record_id = s.record_id AND t.stage = s.stage AND t.reason = s.reason")
        .whenNotMatched().insertAll()
        .execute();
  }
}

package com.cosmicmorphology.common.lake;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code quarantine} table, written by every stage that rejects records (ingest, eda, inputs): a row is
 * new by its key (source, record_id, stage, reason), so re-runs add nothing twice.
 */
public final class QuarantineTable {
    public static final StructType SCHEMA = LakeTable.QUARANTINE.schema();

    private final SparkSession spark;
    private final LakeLayout lake;

    public QuarantineTable(SparkSession spark, LakeLayout lake) {
        this.spark = spark;
        this.lake = lake;
    }

    /** Creates the table empty if absent; true when it was created now. */
    public boolean create() {
        return lake.create(spark, LakeTable.QUARANTINE);
    }

    public void merge(List<QuarantineRow> rows) {
        if (!rows.isEmpty()) {
            merge(spark.createDataFrame(rows.stream().map(QuarantineRow::toRow).toList(), SCHEMA));
        }
    }

    /** Inserts rows (columns as {@link #SCHEMA}) whose key is new; one Delta commit. */
    public void merge(Dataset<Row> rows) {
        List<String> keys = LakeTable.QUARANTINE.keys();
        lake.delta(spark, LakeTable.QUARANTINE)
                .as("t")
                .merge(
                        rows.dropDuplicates(keys.toArray(String[]::new)).as("s"),
                        keys.stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND ")))
                .whenNotMatched()
                .insertAll()
                .execute();
    }
}

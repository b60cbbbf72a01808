package com.cosmicmorphology.common.lake;

import java.sql.Timestamp;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** One row of {@code quarantine}: a rejected record and why (reason is a short stable code). */
public record QuarantineRow(String source, String recordId, String stage, String reason, String detail, Timestamp at) {

    public Row toRow() {
        return RowFactory.create(source, recordId, stage, reason, detail, at);
    }
}

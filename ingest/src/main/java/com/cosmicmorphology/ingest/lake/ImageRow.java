package com.cosmicmorphology.ingest.lake;

import java.sql.Timestamp;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** One row of {@code images} (contract columns, in schema order). */
public record ImageRow(
        String imageId,
        String source,
        String label,
        String labelSource,
        byte[] content,
        String contentSha256,
        String format,
        int width,
        int height,
        long sizeBytes,
        String origin,
        Timestamp ingestedAt) {

    public Row toRow() {
        return RowFactory.create(
                imageId,
                source,
                label,
                labelSource,
                content,
                contentSha256,
                format,
                width,
                height,
                sizeBytes,
                origin,
                ingestedAt);
    }
}

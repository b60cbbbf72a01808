package com.cosmicmorphology.common.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which log store Delta commits {@code s3a://} tables with. S3 (as reached through S3A here) cannot create an
 * object only if it is absent, so Delta's default S3 log store is safe with one writing driver at a time:
 * two concurrent commits of the same version overwrite each other and one is lost. The DynamoDB-backed store
 * makes each commit a conditional DynamoDB write, so any number of writers commit safely.
 */
public enum S3LogStore {
    /** Delta's own S3 log store: one writing job at a time per table. */
    DEFAULT,
    /** {@code io.delta.storage.S3DynamoDBLogStore}, with {@code s3.dynamodb-table} and {@code s3.dynamodb-region}. */
    DYNAMODB;

    /** The spelling used in YAML and on the command line. */
    @JsonValue
    public String key() {
        return name().toLowerCase();
    }

    @JsonCreator
    public static S3LogStore parse(String value) {
        for (S3LogStore s : values()) {
            if (s.key().equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw new ConfigException("s3.log-store: '" + value + "' is not a log store; valid values: "
                + Arrays.stream(values()).map(S3LogStore::key).collect(Collectors.joining(", ")));
    }
}

package com.cosmicmorphology.training.model;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * Model ids: {@code <backbone id>-<UTC time to the millisecond>-<4 random hex digits>}, e.g.
 * {@code keras_x_96-20240501T101502123-3fa9}. Two trainings in the same second (a tune loop, a retry, two
 * machines) used to get the same id, and the predictions and metrics of one were merged over the other's.
 * Within a JVM the time part never repeats (a clash moves it on by a millisecond), so ids sort in the order
 * they were made; the random part keeps ids from two machines apart.
 */
public final class ModelIds {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** This JVM's ids. */
    public static final ModelIds JVM = new ModelIds();

    private long lastMillis;

    public String next(String backboneId) {
        return next(backboneId, Instant.now());
    }

    /** The id for a model finished at {@code now}. */
    public synchronized String next(String backboneId, Instant now) {
        long millis = Math.max(now.toEpochMilli(), lastMillis + 1);
        lastMillis = millis;
        byte[] suffix = new byte[2];
        RANDOM.nextBytes(suffix);
        return backboneId + "-" + TIME.format(Instant.ofEpochMilli(millis)) + "-"
                + HexFormat.of().formatHex(suffix);
    }
}

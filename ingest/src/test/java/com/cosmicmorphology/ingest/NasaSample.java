package com.cosmicmorphology.ingest;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The recorded NASA pages under test resources (see dev/make_samples.py for what they hold). */
public final class NasaSample {
    public static final int GALAXY_ITEMS = 46;
    public static final int CLUSTER_ITEMS = 6;

    private NasaSample() {}

    public static Path dir() {
        try {
            return Path.of(NasaSample.class.getResource("/nasa-sample").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

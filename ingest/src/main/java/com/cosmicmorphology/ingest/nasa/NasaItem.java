package com.cosmicmorphology.ingest.nasa;

import java.time.Instant;
import java.util.List;

/** One item of a NASA search response, as far as the lake cares; {@code rawJson} keeps the rest. */
public record NasaItem(
        String nasaId,
        String title,
        String description,
        List<String> keywords,
        String center,
        Instant dateCreated,
        String mediaType,
        String previewUrl,
        String rawJson) {

    public String imageId() {
        return "nasa:" + nasaId;
    }
}

package com.cosmicmorphology.ingest.nasa;

import java.util.List;

/**
 * One parsed page: items that parsed, items that did not (raw JSON and why, for quarantine), and the
 * {@code next} link if any.
 */
public record SearchPage(String url, List<NasaItem> items, List<BadItem> badItems, String nextUrl, long totalHits) {
    /** An item without the fields we need, kept for quarantine. */
    public record BadItem(String recordId, String reason, String detail) {}
}

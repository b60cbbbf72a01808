package com.cosmicmorphology.ingest.nasa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the NASA images API's collection+json layout (collection.items[].data[0], links[rel=preview]).
 *
 * <p>The JSON is untrusted: a field of the wrong type is read where the intent is clear ({@code data} an
 * object instead of a one-element array, a numeric {@code nasa_id}, {@code keywords} one string), and an item
 * whose intent is not clear ({@code links} a string, {@code nasa_id} an object, an item that is not an object)
 * becomes a {@code bad_record} with the reason, for quarantine; one bad item never costs the page.
 */
public final class SearchPageParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** NASA ids are short; anything longer is not an id (and would bloat every key it is used in). */
    static final int MAX_ID_LENGTH = 256;

    /** An item field whose type leaves its meaning unclear. */
    private static final class BadField extends RuntimeException {
        BadField(String message) {
            super(message);
        }
    }

    /** @throws IOException when the body is not the API's JSON at all (the caller quarantines the page) */
    public SearchPage parse(String url, byte[] body) throws IOException {
        JsonNode root = JSON.readTree(body);
        JsonNode collection = root == null ? null : root.get("collection");
        if (collection == null || !collection.isObject()) {
            String reason = root != null && root.isObject() && root.hasNonNull("reason")
                    ? root.get("reason").asText()
                    : "no 'collection' object";
            throw new IOException("response is not a NASA search collection: " + abbreviate(reason));
        }
        JsonNode itemsNode = collection.path("items");
        if (!itemsNode.isMissingNode() && !itemsNode.isNull() && !itemsNode.isArray()) {
            throw new IOException("collection.items is " + kind(itemsNode) + ", not an array");
        }
        List<NasaItem> items = new ArrayList<>();
        List<SearchPage.BadItem> bad = new ArrayList<>();
        int index = 0;
        for (JsonNode item : itemsNode) {
            index++;
            String raw = JSON.writeValueAsString(item);
            try {
                items.add(item(item, raw));
            } catch (RuntimeException e) { // BadField, or anything else one hostile item provokes
                bad.add(new SearchPage.BadItem(
                        url + "#item" + index, "bad_record", e.getMessage() + ": " + abbreviate(raw)));
            }
        }
        return new SearchPage(
                url,
                items,
                bad,
                nextUrl(collection),
                collection.path("metadata").path("total_hits").asLong(-1));
    }

    private static NasaItem item(JsonNode item, String raw) {
        if (!item.isObject()) {
            throw new BadField("item is " + kind(item) + ", not an object");
        }
        JsonNode data = item.path("data");
        if (data.isArray()) {
            data = data.path(0);
        } // else an object: the one data record, written without its array
        if (!data.isObject()) {
            throw new BadField("item without a data[0] object");
        }
        String nasaId = scalar(data, "nasa_id");
        if (nasaId == null || nasaId.isBlank()) {
            throw new BadField("item without data[0].nasa_id (a string or number)");
        }
        if (nasaId.length() > MAX_ID_LENGTH || nasaId.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw new BadField("data[0].nasa_id is over " + MAX_ID_LENGTH + " characters or holds control characters");
        }
        List<String> keywords = new ArrayList<>();
        JsonNode kw = data.path("keywords");
        if (kw.isArray()) {
            kw.forEach(k -> {
                if (k.isValueNode() && !k.isNull()) {
                    keywords.add(k.asText());
                }
            });
        } else if (kw.isValueNode() && !kw.isNull()) {
            keywords.add(kw.asText()); // one keyword without its array
        }
        return new NasaItem(
                nasaId,
                scalar(data, "title"),
                scalar(data, "description"),
                keywords,
                scalar(data, "center"),
                instant(scalar(data, "date_created")),
                scalar(data, "media_type"),
                previewUrl(item),
                raw);
    }

    private static String previewUrl(JsonNode item) {
        JsonNode links = item.path("links");
        if (links.isMissingNode() || links.isNull()) {
            return null;
        }
        if (links.isObject()) {
            links = JSON.createArrayNode().add(links); // one link without its array
        }
        if (!links.isArray()) {
            throw new BadField("links is " + kind(links) + ", not an array of {href, rel}");
        }
        for (JsonNode link : links) {
            if (link.isObject()
                    && "preview".equals(link.path("rel").asText())
                    && link.path("href").isTextual()) {
                return link.get("href").asText();
            }
        }
        return null;
    }

    private static String nextUrl(JsonNode collection) {
        String next = null;
        for (JsonNode link : collection.path("links")) { // not an array: no links, so no next page
            if (link.isObject()
                    && "next".equals(link.path("rel").asText())
                    && link.path("href").isTextual()) {
                next = link.get("href").asText();
            }
        }
        return next;
    }

    private static Instant instant(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null; // raw_json keeps the original; a bad date is no reason to drop an image
        }
    }

    /** A string, number or boolean field as text; null when absent, null or a container (raw_json keeps it). */
    private static String scalar(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    private static String kind(JsonNode n) {
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}

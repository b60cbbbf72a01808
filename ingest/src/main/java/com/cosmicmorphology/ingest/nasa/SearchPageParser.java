package com.cosmicmorphology.ingest.nasa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Parses the NASA images API's collection+json layout (collection.items[].data[0], links[rel=preview]). */
public final class SearchPageParser {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** @throws IOException when the body is not the API's JSON at all (the caller treats it as an API failure) */
  public SearchPage parse(String url, byte[] body) throws IOException {
    JsonNode root = JSON.readTree(body);
    JsonNode collection = root == null ? null : root.get("collection");
    if (collection == null || !collection.isObject()) {
      String reason = root != null && root.hasNonNull("reason") ? root.get("reason").asText() : "no 'collection'";
      throw new IOException("response is not a NASA search collection: " + reason);
    }
    List<NasaItem> items = new ArrayList<>();
    List<SearchPage.BadItem> bad = new ArrayList<>();
    int index = 0;
    for (JsonNode item : collection.path("items")) {
      index++;
      JsonNode data = item.path("data").path(0);
      String nasaId = text(data, "nasa_id");
      String raw = JSON.writeValueAsString(item);
      if (nasaId == null || nasaId.isBlank()) {
        bad.add(new SearchPage.BadItem(url + "#item" + index, "bad_record", "item without data[0].nasa_id: "
            + abbreviate(raw)));
        continue;
      }
      List<String> keywords = new ArrayList<>();
      data.path("keywords").forEach(k -> keywords.add(k.asText()));
      items.add(new NasaItem(nasaId, text(data, "title"), text(data, "description"), keywords,
          text(data, "center"), instant(text(data, "date_created")), text(data, "media_type"),
          previewUrl(item), raw));
    }
    String next = null;
    for (JsonNode link : collection.path("links")) {
      if ("next".equals(link.path("rel").asText())) {
        next = link.path("href").asText(null);
      }
    }
    return new SearchPage(url, items, bad, next, collection.path("metadata").path("total_hits").asLong(-1));
  }

  private static String previewUrl(JsonNode item) {
    for (JsonNode link : item.path("links")) {
      if ("preview".equals(link.path("rel").asText()) && link.hasNonNull("href")) {
        return link.get("href").asText();
      }
    }
    return null;
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

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}

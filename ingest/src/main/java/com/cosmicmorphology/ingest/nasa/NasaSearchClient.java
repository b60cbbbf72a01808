package com.cosmicmorphology.ingest.nasa;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.ingest.http.FetchOutcome;
import com.cosmicmorphology.ingest.http.HttpFetcher;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Walks the pages of one search: the first page from the query, then the {@code next} link of each page,
 * until there is none, a page is empty, or {@code maxPages} pages were read (0 = no limit).
 */
public final class NasaSearchClient {
  /** Search pages are small; a larger body is a broken server. */
  private static final long MAX_PAGE_BYTES = 50L * 1024 * 1024;

  private final HttpFetcher http;
  private final String apiUrl;
  private final int pageSize;
  private final SearchPageParser parser = new SearchPageParser();

  public NasaSearchClient(HttpFetcher http, String apiUrl, int pageSize) {
    this.http = http;
    this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    this.pageSize = pageSize;
  }

  public String firstPageUrl(String query) {
    return apiUrl + "/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
        + "&media_type=image&page=1&page_size=" + pageSize;
  }

  /** Calls {@code onPage} for every non-empty page; returns their number. */
  public int search(String query, int maxPages, Consumer<SearchPage> onPage) throws InterruptedException {
    String url = firstPageUrl(query);
    int pages = 0;
    while (url != null && (maxPages == 0 || pages < maxPages)) {
      FetchOutcome out = http.get(url, MAX_PAGE_BYTES);
      if (!out.isOk()) {
        throw new CosmicException(ExitCode.REMOTE, "NASA API failed for query '" + query + "' at " + url + ": "
            + out.detail() + " (" + out.reason() + "); check --api-url / nasa.api-url and the network, then re-run:"
            + " what landed is kept");
      }
      SearchPage page;
      try {
        page = parser.parse(url, out.body());
      } catch (IOException e) {
        throw new CosmicException(ExitCode.REMOTE, "NASA API answered query '" + query + "' at " + url
            + " with something that is not a search page: " + e.getMessage());
      }
      if (page.items().isEmpty() && page.badItems().isEmpty()) {
        break; // the empty page after the last one: not counted, so pages agree with the progress line
      }
      pages++;
      onPage.accept(page);
      url = page.nextUrl();
    }
    return pages;
  }
}

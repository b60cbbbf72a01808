package com.cosmicmorphology.ingest.nasa;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.ingest.http.FetchOutcome;
import com.cosmicmorphology.ingest.http.HttpFetcher;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks the pages of one search: the first page from the query, then the {@code next} link of each page,
 * until there is none, a page is empty, {@code maxPages} pages were read (0 = all, up to the hard
 * {@code nasa.page-cap}), or a {@code next} link leads back to a page already read (a loop).
 */
public final class NasaSearchClient {
    private static final Logger LOG = LoggerFactory.getLogger(NasaSearchClient.class);
    /** Search pages are small; a larger body is a broken server. */
    private static final long MAX_PAGE_BYTES = 50L * 1024 * 1024;

    private final HttpFetcher http;
    private final String apiUrl;
    private final int pageSize;
    private final SearchPageParser parser = new SearchPageParser();
    private final int pageCap;

    public NasaSearchClient(HttpFetcher http, String apiUrl, int pageSize, int pageCap) {
        this.http = http;
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        this.pageSize = pageSize;
        this.pageCap = pageCap;
    }

    public String firstPageUrl(String query) {
        return apiUrl + "/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
                + "&media_type=image&page=1&page_size=" + pageSize;
    }

    /**
     * Calls {@code onPage} for every non-empty page and {@code onProblem} for every page that could not be used
     * (not a search page, or a {@code next} link that is refused or was already visited: the query's crawl stops
     * there, the run goes on); returns the number of pages used. A failed fetch (after retries) of the first page
     * is the API failing and throws; so does every query's first page being unusable, which the caller sees as
     * zero pages with problems.
     */
    public int search(String query, int maxPages, Consumer<SearchPage> onPage, Consumer<SearchPage.BadItem> onProblem)
            throws InterruptedException {
        String url = firstPageUrl(query);
        int limit = maxPages == 0 ? pageCap : Math.min(maxPages, pageCap);
        Set<String> visited = new HashSet<>();
        int pages = 0;
        while (url != null) {
            if (pages >= limit) {
                if (maxPages == 0) {
                    LOG.warn(
                            "query '{}': stopped at nasa.page-cap={} pages; raise it if the API really has more",
                            query,
                            pageCap);
                }
                break;
            }
            if (!visited.add(canonical(url))) {
                LOG.warn("query '{}': next link {} was already visited: the crawl of this query ends here", query, url);
                onProblem.accept(new SearchPage.BadItem(
                        url,
                        "page_loop",
                        "next link of query '" + query + "' points back to a page already read; crawl stopped after "
                                + pages + " pages"));
                break;
            }
            FetchOutcome out = http.get(url, MAX_PAGE_BYTES);
            if (!out.isOk() && "url_refused".equals(out.reason()) && pages > 0) {
                LOG.warn("query '{}': next link refused ({}): the crawl of this query ends here", query, out.detail());
                onProblem.accept(new SearchPage.BadItem(url, "url_refused", out.detail()));
                break;
            }
            if (!out.isOk()) {
                throw new CosmicException(
                        ExitCode.REMOTE,
                        "NASA API failed for query '" + query + "' at " + url + ": "
                                + out.detail() + " (" + out.reason()
                                + "); check --api-url / nasa.api-url and the network, then re-run:"
                                + " what landed is kept");
            }
            SearchPage page;
            try {
                page = parser.parse(url, out.body());
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "query '{}': {} is not a search page ({}): quarantined, the crawl of this query ends here",
                        query,
                        url,
                        e.getMessage());
                onProblem.accept(new SearchPage.BadItem(url, "bad_page", "not a NASA search page: " + e.getMessage()));
                break;
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

    /** Equal pages by URL, whatever the order of the query parameters or the case of scheme and host. */
    static String canonical(String url) {
        try {
            URI u = new URI(url).normalize();
            String query = u.getRawQuery();
            String sorted = query == null ? "" : String.join("&", new TreeSet<>(Arrays.asList(query.split("&"))));
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
            return scheme + "://" + host + ":" + u.getPort() + u.getRawPath() + "?" + sorted;
        } catch (URISyntaxException e) {
            return url;
        }
    }
}

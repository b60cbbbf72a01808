package com.cosmicmorphology.ingest.http;

import com.cosmicmorphology.common.config.CosmicConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which URLs ingest may fetch. Preview and {@code next} links come from the API's JSON, so they are
 * untrusted: only http and https, and only hosts on the allow-list ({@code nasa.allowed-hosts}, plus the
 * host of {@code nasa.api-url}, which a replay server or a proxy replaces). An entry is a host name, or
 * {@code *.example.org} for its sub-domains. Every redirect hop is checked the same way by
 * {@link HttpFetcher}. Without it a {@code file:} or {@code jar:} link reads local files, and an
 * {@code http://169.254.169.254/} link reaches the cloud metadata service.
 */
public final class UrlPolicy {
    private final List<String> exact = new ArrayList<>();
    private final List<String> suffixes = new ArrayList<>();
    private final boolean anyHost;

    private UrlPolicy(List<String> hosts, boolean anyHost) {
        this.anyHost = anyHost;
        for (String h : hosts) {
            String host = h.trim().toLowerCase(Locale.ROOT);
            if (host.startsWith("*.")) {
                suffixes.add(host.substring(1));
            } else if (!host.isEmpty()) {
                exact.add(host);
            }
        }
    }

    /** The allow-list of a run: {@code nasa.allowed-hosts} and the API's own host. */
    public static UrlPolicy of(CosmicConfig.Nasa nasa) {
        List<String> hosts = new ArrayList<>(nasa.allowedHosts());
        String apiHost;
        try {
            apiHost = new URI(nasa.apiUrl()).getHost();
        } catch (URISyntaxException e) {
            throw new com.cosmicmorphology.common.cli.CosmicException(
                    com.cosmicmorphology.common.cli.ExitCode.USAGE,
                    "nasa.api-url '" + nasa.apiUrl() + "' is not a URL (" + e.getReason()
                            + "); e.g. https://images-api.nasa.gov");
        }
        if (apiHost != null) {
            hosts.add(apiHost);
        }
        return new UrlPolicy(hosts, false);
    }

    /** http and https to any host: for benches and tests that fetch from loopback servers they start. */
    public static UrlPolicy anyHttpHost() {
        return new UrlPolicy(List.of(), true);
    }

    /** Null when {@code url} may be fetched, else why not (for the quarantine detail). */
    public String refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            return "not a valid URL: " + abbreviate(url);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "scheme '" + scheme + "' is not http or https: " + abbreviate(url);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return "URL has no host: " + abbreviate(url);
        }
        if (uri.getRawUserInfo() != null) {
            return "URL carries credentials (user info): refused";
        }
        if (anyHost || allowed(host.toLowerCase(Locale.ROOT))) {
            return null;
        }
        return "host '" + host + "' is not in nasa.allowed-hosts " + describe() + "; add it there if it is trusted";
    }

    private boolean allowed(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (exact.contains(h)) {
            return true;
        }
        for (String s : suffixes) {
            if (h.endsWith(s)) {
                return true;
            }
        }
        return false;
    }

    private String describe() {
        List<String> all = new ArrayList<>(exact);
        suffixes.forEach(s -> all.add("*" + s));
        return all.toString();
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}

package com.cosmicmorphology.testkit.replay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server on 127.0.0.1 that answers like the NASA Image and Video Library: search pages and preview
 * images, either replayed from recordings ({@code search/<query-slug>/page-N.json} and
 * {@code assets/<nasa_id>/<file>}, live hosts rewritten to itself) or generated (N synthetic items over real
 * image bytes, for benchmarks). Faults (429 + Retry-After, 5xx, stalls) are scripted per path prefix, and
 * an optional latency per request models a real network. Used by tests and by {@code bench ingest}.
 */
public final class NasaReplayServer implements AutoCloseable {
    private static final String[] LIVE_HOSTS = {"https://images-api.nasa.gov", "https://images-assets.nasa.gov"};

    private final HttpServer server;
    private final ExecutorService threads;
    private final Path recordings;
    private final Synthetic synthetic;
    private final Map<String, Deque<Fault>> faults = new LinkedHashMap<>();
    private final Map<String, AtomicLong> hits = new ConcurrentHashMap<>();
    private volatile long latencyMs;
    private volatile long rateLimit = -1;
    private final AtomicLong rateUsed = new AtomicLong();

    /** Generated content: {@code items} items named SYN-0000001..., cycling over {@code images}. */
    private record Synthetic(int items, int pageSize, List<byte[]> images) {}

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY Nagle's algorithm and the
        // client's delayed ACK add ~40 ms to every response, which would swamp the latency being modelled.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private NasaReplayServer(Path recordings, Synthetic synthetic) {
        this.recordings = recordings;
        this.synthetic = synthetic;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback port", e);
        }
        threads = Executors.newFixedThreadPool(64, r -> {
            Thread t = new Thread(r, "replay-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Replays a directory laid out like ../shared/data/nasa-images-api. */
    public static NasaReplayServer recordings(Path dir) {
        if (!Files.isDirectory(dir.resolve("search"))) {
            throw new IllegalArgumentException(dir + " has no search/ folder of recorded pages");
        }
        return new NasaReplayServer(dir, null);
    }

    /** Serves {@code items} synthetic items for any query, {@code pageSize} per page, over real image bytes. */
    public static NasaReplayServer synthetic(int items, int pageSize, List<byte[]> images) {
        return new NasaReplayServer(null, new Synthetic(items, pageSize, images));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code times} requests whose path starts with {@code pathPrefix} get {@code fault}. */
    public synchronized void script(String pathPrefix, Fault fault, int times) {
        Deque<Fault> q = faults.computeIfAbsent(pathPrefix, k -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            q.add(fault);
        }
    }

    /** Every answer waits this long first (a network's latency; 0 by default). */
    public void latencyMs(long ms) {
        latencyMs = ms;
    }

    /** Sends X-RateLimit-Limit/Remaining headers counting down from {@code limit}. */
    public void rateLimit(long limit) {
        rateLimit = limit;
        rateUsed.set(0);
    }

    /** Requests served so far whose path starts with {@code prefix}. */
    public long hits(String prefix) {
        return hits.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(e -> e.getValue().get())
                .sum();
    }

    private synchronized Fault nextFault(String path) {
        for (Map.Entry<String, Deque<Fault>> e : faults.entrySet()) {
            if (path.startsWith(e.getKey()) && !e.getValue().isEmpty()) {
                return e.getValue().poll();
            }
        }
        return null;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            hits.computeIfAbsent(path, k -> new AtomicLong()).incrementAndGet();
            if (latencyMs > 0) {
                sleep(latencyMs);
            }
            if (rateLimit >= 0) {
                long remaining = Math.max(0, rateLimit - rateUsed.incrementAndGet());
                ex.getResponseHeaders().add("X-RateLimit-Limit", Long.toString(rateLimit));
                ex.getResponseHeaders().add("X-RateLimit-Remaining", Long.toString(remaining));
            }
            Fault fault = nextFault(path);
            if (fault != null && fault.stallMs() > 0) {
                sleep(fault.stallMs());
            } else if (fault != null) {
                fault.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
                send(ex, fault.status(), "application/json", fault.body().getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (path.equals("/search")) {
                search(ex);
            } else if (path.startsWith("/image/") || path.startsWith("/video/")) {
                asset(ex, path);
            } else {
                send(ex, 404, "application/json", "{\"reason\":\"No such endpoint\"}".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void search(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI());
        String term = q.getOrDefault("q", "");
        int page;
        try {
            page = Integer.parseInt(q.getOrDefault("page", "1"));
        } catch (NumberFormatException e) {
            send(
                    ex,
                    400,
                    "application/json",
                    "{\"reason\":\"page must be a number\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] body = synthetic != null ? syntheticPage(term, page) : recordedPage(term, page);
        send(ex, 200, "application/json", body);
    }

    private byte[] recordedPage(String term, int page) throws IOException {
        String slug = term.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        Path file = recordings.resolve("search").resolve(slug).resolve("page-" + page + ".json");
        if (!Files.isRegularFile(file)) {
            return emptyPage(term, page); // past the last page the live API answers an empty list
        }
        String json = Files.readString(file);
        for (String host : LIVE_HOSTS) {
            json = json.replace(host, baseUrl());
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] syntheticPage(String term, int page) {
        int from = (page - 1) * synthetic.pageSize();
        int to = Math.min(synthetic.items(), from + synthetic.pageSize());
        StringBuilder sb = new StringBuilder(256 * Math.max(1, to - from));
        sb.append("{\"collection\":{\"version\":\"1.0\",\"href\":\"")
                .append(searchUrl(term, page))
                .append("\",\"items\":[");
        for (int i = from; i < to; i++) {
            String id = String.format("SYN-%07d", i + 1);
            sb.append(i == from ? "" : ",")
                    .append("{\"href\":\"")
                    .append(baseUrl())
                    .append("/image/")
                    .append(id)
                    .append("/collection.json\",")
                    .append("\"data\":[{\"center\":\"GSFC\",\"title\":\"Synthetic ")
                    .append(id)
                    .append("\",\"keywords\":[\"")
                    .append(term)
                    .append("\"],\"nasa_id\":\"")
                    .append(id)
                    .append("\",\"date_created\":\"2020-01-01T00:00:00Z\",\"media_type\":\"image\",")
                    .append("\"description\":\"Synthetic item for benchmarks.\"}],")
                    .append("\"links\":[{\"href\":\"")
                    .append(baseUrl())
                    .append("/image/")
                    .append(id)
                    .append('/')
                    .append(id)
                    .append("~thumb.jpg\",\"rel\":\"preview\",\"render\":\"image\"}]}");
        }
        sb.append("],\"metadata\":{\"total_hits\":").append(synthetic.items()).append('}');
        if (to < synthetic.items()) {
            sb.append(",\"links\":[{\"rel\":\"next\",\"prompt\":\"Next\",\"href\":\"")
                    .append(searchUrl(term, page + 1))
                    .append("\"}]");
        }
        sb.append("}}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String searchUrl(String term, int page) {
        return baseUrl() + "/search?q=" + java.net.URLEncoder.encode(term, StandardCharsets.UTF_8)
                + "&media_type=image&page=" + page + "&page_size=" + (synthetic != null ? synthetic.pageSize() : 25);
    }

    private byte[] emptyPage(String term, int page) {
        return ("{\"collection\":{\"version\":\"1.0\",\"href\":\"" + searchUrl(term, page)
                        + "\",\"items\":[],\"metadata\":{\"total_hits\":0}}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private void asset(HttpExchange ex, String path) throws IOException {
        // /image/<nasa_id>/<file>
        String[] parts = path.split("/");
        if (parts.length != 4) {
            send(ex, 404, "application/json", "{\"reason\":\"Not found\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] bytes = null;
        if (synthetic != null && parts[2].startsWith("SYN-")) {
            int n = Integer.parseInt(parts[2].substring(4));
            bytes = synthetic.images().get((n - 1) % synthetic.images().size());
        } else if (recordings != null) {
            Path file = recordings
                    .resolve("assets")
                    .resolve(parts[2])
                    .resolve(parts[3])
                    .normalize();
            if (file.startsWith(recordings.resolve("assets")) && Files.isRegularFile(file)) {
                bytes = Files.readAllBytes(file);
            }
        }
        if (bytes == null) {
            send(ex, 404, "application/json", "{\"reason\":\"Not found\"}".getBytes(StandardCharsets.UTF_8));
        } else {
            send(ex, 200, "image/jpeg", bytes);
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(
                        URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

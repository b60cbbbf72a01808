package com.cosmicmorphology.ingest.hostile;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A loopback HTTP server that answers what a hostile or broken API would: search pages written by the test
 * (by page number), images, redirects anywhere, and bodies that stop short of their Content-Length.
 */
final class HostileApiServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, Handler> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final java.util.List<java.net.ServerSocket> rawServers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile IntFunction<String> pages = n -> "{\"collection\":{\"items\":[]}}";

    interface Handler {
        void handle(HttpExchange x) throws IOException;
    }

    HostileApiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "hostile-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::dispatch);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Search page N's body; {@code %BASE%} is replaced by this server's URL. */
    void pages(IntFunction<String> bodyOfPage) {
        this.pages = bodyOfPage;
    }

    void image(String path, byte[] bytes) {
        routes.put(path, x -> send(x, 200, "image/jpeg", bytes));
    }

    void redirect(String path, String location) {
        routes.put(path, x -> {
            x.getResponseHeaders().add("Location", location.replace("%BASE%", base()));
            x.sendResponseHeaders(302, -1);
            x.close();
        });
    }

    /**
     * A URL on a second, raw socket server that declares {@code bytes.length} in Content-Length, sends only the
     * first {@code sent[0]} bytes and closes the connection (what a dropped connection looks like to a client);
     * the test may raise {@code sent[0]} later to let the whole body through.
     */
    String truncated(byte[] bytes, int[] sent) throws IOException {
        java.net.ServerSocket raw = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        rawServers.add(raw);
        Thread t = new Thread(
                () -> {
                    while (!raw.isClosed()) {
                        try (java.net.Socket s = raw.accept()) {
                            java.io.BufferedReader in = new java.io.BufferedReader(
                                    new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                                // request headers: read and ignored
                            }
                            hits.computeIfAbsent("/raw/truncated", k -> new AtomicInteger())
                                    .incrementAndGet();
                            OutputStream out = s.getOutputStream();
                            out.write(("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: " + bytes.length
                                            + "\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                            out.write(bytes, 0, Math.min(bytes.length, sent[0]));
                            out.flush();
                        } catch (IOException e) {
                            // closed by close(), or the client went away
                        }
                    }
                },
                "truncating-server");
        t.setDaemon(true);
        t.start();
        return "http://127.0.0.1:" + raw.getLocalPort() + "/truncated.jpg";
    }

    void status(String path, int code) {
        routes.put(path, x -> send(x, code, "application/json", "{\"reason\":\"scripted\"}".getBytes()));
    }

    int hits(String path) {
        return hits.getOrDefault(path, new AtomicInteger()).get();
    }

    private void dispatch(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
        try {
            if (path.equals("/search")) {
                int page = 1;
                String q = x.getRequestURI().getRawQuery();
                for (String kv : q == null ? new String[0] : q.split("&")) {
                    if (kv.startsWith("page=")) {
                        page = Integer.parseInt(kv.substring(5));
                    }
                }
                send(
                        x,
                        200,
                        "application/json",
                        pages.apply(page).replace("%BASE%", base()).getBytes(StandardCharsets.UTF_8));
                return;
            }
            Handler h = routes.get(path);
            if (h == null) {
                send(x, 404, "application/json", "{\"reason\":\"no such asset\"}".getBytes());
            } else {
                h.handle(x);
            }
        } finally {
            x.close();
        }
    }

    private static void send(HttpExchange x, int code, String type, byte[] body) throws IOException {
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        for (java.net.ServerSocket raw : rawServers) {
            try {
                raw.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}

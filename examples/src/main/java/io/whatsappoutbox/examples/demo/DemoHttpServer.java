package io.whatsappoutbox.examples.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.whatsappoutbox.core.internal.SafeText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK's HTTP server, bound at once (so webhook URLs know the port) and handed its routes later.
 * Bodies are read up to a limit, so a client cannot make the host buffer an endless upload.
 */
final class DemoHttpServer {
    /** Meta's largest webhook payload, and far more than any API call needs. */
    static final int MAX_BODY = io.whatsappoutbox.meta.MetaWebhookHandler.DEFAULT_MAX_BODY_BYTES;
    /** The most of an oversized body read (and dropped) before the 413: an endless upload is cut there. */
    private static final long DRAIN_MAX = 16L * 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(DemoHttpServer.class);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, "demo-http");
        t.setDaemon(true);
        return t;
    });

    /** A request as the routes see it. */
    record Request(String method, String path, String url, Map<String, List<String>> query,
            Map<String, List<String>> headers, byte[] body, boolean tooLarge) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** An answer. */
    record Response(int status, String contentType, byte[] body) {
        static Response of(int status, String contentType, String body) {
            return new Response(status, contentType, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The routes. */
    interface Routes {
        Response handle(Request request);
    }

    /** @param bindAddress where to listen: {@code 127.0.0.1} unless told otherwise, {@code 0.0.0.0} for every interface */
    DemoHttpServer(String bindAddress, int port) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindAddress + ":" + port
                    + " (set OUTBOX_DEMO_BIND_ADDRESS and OUTBOX_DEMO_PORT)", e);
        }
        server.setExecutor(executor);
    }

    int port() {
        return server.getAddress().getPort();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    void serve(Routes routes) {
        server.createContext("/", exchange -> {
            try (exchange) {
                Response r;
                try {
                    r = routes.handle(read(exchange));
                } catch (RuntimeException e) {
                    // a path can carry a recipient (/api/v1/consents/{e164}): logged masked
                    log.error("Unhandled error on {} {}: {}", exchange.getRequestMethod(),
                            SafeText.forError(exchange.getRequestURI().getPath()),
                            e.getClass().getSimpleName());
                    r = Response.of(500, "application/json", "{\"errors\":[{\"field\":\"server\",\"message\":\"internal error\"}]}");
                }
                if (r.contentType() != null) {
                    exchange.getResponseHeaders().set("Content-Type", r.contentType());
                }
                exchange.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
                if (r.body().length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(r.body());
                    }
                }
            }
        });
        server.start();
    }

    private static Request read(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        byte[] body;
        boolean tooLarge = false;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                tooLarge = true;
                body = new byte[0];
                // read what follows, up to a bound, unkept: a client still sending gets the 413, not a reset
                byte[] sink = new byte[1 << 16];
                long drained = 0;
                for (int n; drained < DRAIN_MAX && (n = in.read(sink)) >= 0; ) {
                    drained += n;
                }
            }
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        String url = "http://" + (host == null ? "localhost" : host) + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        Map<String, List<String>> headers = new LinkedHashMap<>(exchange.getRequestHeaders());
        return new Request(exchange.getRequestMethod().toUpperCase(java.util.Locale.ROOT), uri.getPath(), url,
                query(uri.getRawQuery()), headers, body, tooLarge);
    }

    static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.computeIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), x -> new ArrayList<>())
                        .add(URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed escape: the parameter is dropped, the handler then sees it missing
            }
        }
        return out;
    }

    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }
}

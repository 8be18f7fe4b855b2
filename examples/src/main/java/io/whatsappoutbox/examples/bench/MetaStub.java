package io.whatsappoutbox.examples.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local stand-in for Meta's Cloud API send endpoint: it answers every POST at once with Meta's
 * success shape and a unique wamid. The JDK's own HTTP server, on loopback.
 */
final class MetaStub implements AutoCloseable {
    private static final byte[] TO = "\"to\":\"".getBytes(StandardCharsets.US_ASCII);

    static {
        // the JDK server writes headers and body apart: without TCP_NODELAY each answer waits for
        // a delayed ACK (40 ms), and the stub, not the provider code, would be measured
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong wamids = new AtomicLong();
    /** Unique across stubs: a database keeps the wamids of earlier runs. */
    private final String prefix = "wamid.bench." + Long.toString(System.nanoTime(), 36) + ".";

    MetaStub(int threads) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "meta-stub");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::answer);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange) throws IOException {
        byte[] request;
        try (InputStream in = exchange.getRequestBody()) {
            request = in.readAllBytes();
        }
        String to = recipient(request);
        String body = "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"" + to + "\",\"wa_id\":\""
                + (to.startsWith("+") ? to.substring(1) : to) + "\"}],\"messages\":[{\"id\":\"" + prefix
                + wamids.incrementAndGet() + "\"}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The "to" field of the request body, found without a JSON parser. */
    private static String recipient(byte[] body) {
        outer:
        for (int i = 0; i + TO.length < body.length; i++) {
            for (int j = 0; j < TO.length; j++) {
                if (body[i + j] != TO[j]) {
                    continue outer;
                }
            }
            int start = i + TO.length;
            int end = start;
            while (end < body.length && body[end] != '"') {
                end++;
            }
            return new String(body, start, end - start, StandardCharsets.US_ASCII);
        }
        return "";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

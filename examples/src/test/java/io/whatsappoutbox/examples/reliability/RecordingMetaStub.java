package io.whatsappoutbox.examples.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Meta Cloud API as the killed dispatchers see it: it records every send (which process, which
 * recipient, when it arrived, the wamid it gave) before answering after a few milliseconds, so a
 * process killed mid-batch leaves calls the database never heard of. Each child process uses its
 * own path prefix ({@code /p<n>}), which is how a call is traced to the process that made it.
 * Recipients whose number ends in 99 are refused with 131026 (undeliverable): dead letters.
 */
final class RecordingMetaStub implements AutoCloseable {
    /** One send as it reached the provider. */
    record Call(int process, int recipient, long arrivedNanos, String wamid) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // without it the JDK server's small answers wait for delayed ACKs (about 40 ms each)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(32, r -> {
        Thread t = new Thread(r, "meta-stub");
        t.setDaemon(true);
        return t;
    });
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<Integer, AtomicInteger> perProcess = new ConcurrentHashMap<>();
    private final AtomicInteger wamids = new AtomicInteger();

    RecordingMetaStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL process {@code n} sends through. */
    String baseUrl(int process) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/p" + process;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long arrived = System.nanoTime();
            String path = exchange.getRequestURI().getPath();
            int process = Integer.parseInt(path.substring(2, path.indexOf('/', 1)));
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            String to = body.path("to").asText();
            int recipient = Integer.parseInt(to.substring(to.length() - 8));
            boolean undeliverable = recipient % 100 == 99;
            String wamid = undeliverable ? null : "wamid.p" + process + "." + wamids.incrementAndGet();
            calls.add(new Call(process, recipient, arrived, wamid));
            perProcess.computeIfAbsent(process, p -> new AtomicInteger()).incrementAndGet();
            sleep(ThreadLocalRandom.current().nextInt(3, 15));
            String answer = undeliverable
                    ? "{\"error\":{\"message\":\"Message undeliverable\",\"type\":\"OAuthException\",\"code\":131026,"
                            + "\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":\"Message undeliverable\"},"
                            + "\"fbtrace_id\":\"Az8or2yhqkZfEZ-_4Qn_Bam\"}}"
                    : "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"" + to + "\",\"wa_id\":\""
                            + to.substring(1) + "\"}],\"messages\":[{\"id\":\"" + wamid + "\"}]}";
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(undeliverable ? 400 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException | RuntimeException e) {
            // the caller was killed while we answered: the call is recorded, the answer is lost
        }
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    int callsFrom(int process) {
        AtomicInteger n = perProcess.get(process);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

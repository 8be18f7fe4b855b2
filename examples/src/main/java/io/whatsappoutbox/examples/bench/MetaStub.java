package io.whatsappoutbox.examples.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A local stand-in for Meta's Cloud API send endpoint: it answers every POST at once with Meta's
 * success shape and a unique wamid. The JDK's own HTTP server, on loopback. Given a latency, it
 * answers each POST that much later from one scheduler thread, holding no thread per request (the
 * exchange is completed from the scheduler), and counts what it answered: per second, per phone
 * number id and second, and recipients seen twice.
 */
final class MetaStub implements AutoCloseable {
    private static final byte[] TO = "\"to\":\"".getBytes(StandardCharsets.US_ASCII);

    static {
        // the JDK server writes headers and body apart: without TCP_NODELAY each answer waits for
        // a delayed ACK (40 ms), and the stub, not the provider code, would be measured
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // the JDK server closes a kept-alive connection that goes idle while 200 others are idle;
        // over HTTP/1.1 a client keeps one connection per call in flight (hundreds at 250 ms), and a
        // POST racing such a close fails: Meta's HTTP/2 keeps its one connection open
        System.setProperty("sun.net.httpserver.maxIdleConnections", "4096");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong wamids = new AtomicLong();
    /** Unique across stubs: a database keeps the wamids of earlier runs. */
    private final String prefix = "wamid.bench." + Long.toString(System.nanoTime(), 36) + ".";
    private final Duration latency;
    private final ScheduledExecutorService later;
    /** Answers per second (epoch second). */
    final Map<Long, LongAdder> perSecond = new ConcurrentHashMap<>();
    /** Answers per phone number id and second: "id@second". */
    final Map<String, LongAdder> perNumberSecond = new ConcurrentHashMap<>();
    /** Arrival instants (nanoTime) per phone number id, for the busiest sliding second. */
    final Map<String, java.util.Queue<Long>> arrivals = new ConcurrentHashMap<>();
    private final Set<String> recipients = ConcurrentHashMap.newKeySet();
    final LongAdder duplicates = new LongAdder();

    MetaStub(int threads) throws IOException {
        this(threads, Duration.ZERO);
    }

    MetaStub(int threads, Duration latency) throws IOException {
        this.latency = latency;
        this.later = latency.isZero() ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meta-stub-later");
            t.setDaemon(true);
            return t;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
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
        if (later != null) {
            // counted as Meta counts a number's pace: when the request arrives
            count(exchange.getRequestURI().getPath(), to);
            later.schedule(() -> {
                try {
                    respond(exchange, bytes);
                } catch (IOException e) {
                    exchange.close();
                }
            }, latency.toNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        respond(exchange, bytes);
    }

    private void count(String path, String to) {
        long second = System.currentTimeMillis() / 1000;
        perSecond.computeIfAbsent(second, k -> new LongAdder()).increment();
        // /v23.0/{phone-number-id}/messages
        String[] parts = path.split("/");
        String number = parts.length >= 3 ? parts[2] : "?";
        perNumberSecond.computeIfAbsent(number + "@" + second, k -> new LongAdder()).increment();
        arrivals.computeIfAbsent(number, k -> new java.util.concurrent.ConcurrentLinkedQueue<>()).add(System.nanoTime());
        if (!recipients.add(to)) {
            duplicates.increment();
        }
    }

    /** The most requests of one number within any second (a sliding window over the arrivals). */
    long busiestSlidingSecond(String number) {
        return busiestSlidingSecond(arrivals.getOrDefault(number, new java.util.concurrent.ConcurrentLinkedQueue<>()));
    }

    /** The most of {@code instants} (nanoTime) within any second. */
    static long busiestSlidingSecond(java.util.Collection<Long> instants) {
        long[] at = instants.stream().mapToLong(Long::longValue).sorted().toArray();
        long most = 0;
        for (int from = 0, to = 0; to < at.length; to++) {
            while (at[to] - at[from] >= 1_000_000_000L) {
                from++;
            }
            most = Math.max(most, to - from + 1);
        }
        return most;
    }

    private static void respond(HttpExchange exchange, byte[] bytes) throws IOException {
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
        if (later != null) {
            later.shutdownNow();
        }
    }
}

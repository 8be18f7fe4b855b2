package io.whatsappoutbox.examples.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the simulators call the app back: later, from their own threads, and counting what the app
 * answered (a 401 means the signature was refused).
 */
final class Callbacks implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "simulator-callbacks");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger pending = new AtomicInteger();
    private final Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();

    /** Posts {@code body} to {@code url} after {@code delay}. */
    void post(URI url, Duration delay, String contentType, byte[] body, Map<String, String> headers) {
        pending.incrementAndGet();
        scheduler.schedule(() -> {
            try {
                HttpRequest.Builder r = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
                headers.forEach(r::header);
                int status = http.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                answers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
            } catch (Exception e) {
                answers.computeIfAbsent(-1, s -> new AtomicInteger()).incrementAndGet();
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            } finally {
                pending.decrementAndGet();
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    int pending() {
        return pending.get();
    }

    /** How many callbacks the app answered with {@code status} (-1: no answer). */
    int answered(int status) {
        AtomicInteger n = answers.get(status);
        return n == null ? 0 : n.get();
    }

    /** Waits until every scheduled callback was answered, at most {@code timeout}. */
    boolean drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}

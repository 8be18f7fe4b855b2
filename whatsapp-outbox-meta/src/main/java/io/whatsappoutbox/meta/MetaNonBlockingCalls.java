package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;
import java.io.ByteArrayOutputStream;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asynchronous send through the JDK's own {@link HttpClient}: a call in flight holds no thread
 * (the client's one selector thread does the I/O, a small pool of this provider's own runs what
 * follows an answer), unlike OkHttp's {@code enqueue}, whose dispatcher thread blocks for the whole
 * round trip. Same request, same answers and the same safety rules as {@link MetaHttpClient}:
 *
 * <ul>
 *   <li>HTTP/2 negotiated by TLS ALPN where Graph offers it; HTTP/1.1 on a cleartext loopback
 *       base URL (a stub), so that no h2c upgrade is ever attempted;</li>
 *   <li>no redirect followed, no proxy but the JVM's default one (as OkHttp), no cookies;</li>
 *   <li>no silent second POST: the JDK client retries a POST only when the JVM sets
 *       {@code jdk.httpclient.enableAllMethodRetry}, and {@link #usable()} refuses this path then;
 *       it retries only a connect that failed, or a request the HTTP/2 peer says it never
 *       processed, both never sent;</li>
 *   <li>the connect timeout is the client's; the read timeout bounds the wait for Meta's status
 *       line and headers (the JDK's request timeout, which stops at the headers); the call timeout
 *       bounds the whole call, body included, from a timer that cancels the exchange. Each is a
 *       {@code TIMEOUT}, with the status when it had come, as on the OkHttp path;</li>
 *   <li>at most {@code maxCalls} calls at once (the builder's {@code maxRequests} and
 *       {@code maxRequestsPerHost}: every send goes to the one Graph host); the others wait in
 *       line, holding no thread, as OkHttp's dispatcher queues them. The JDK's own pool limits
 *       are JVM-wide system properties and are left alone.</li>
 * </ul>
 *
 * <p>The answer is handed on from this provider's pool as soon as the body is read, not from the
 * JDK's {@code sendAsync} stage, which the JDK completes in the common pool (on a 2-core machine a
 * new thread per answer). {@link #close()} answers the calls still waiting in line as not sent and
 * lets the pool go once the calls in flight are answered.
 */
final class MetaNonBlockingCalls {
    // the provider's logger: log configuration names the provider
    private static final Logger log = LoggerFactory.getLogger(MetaCloudProvider.class);
    /** The JVM-wide switch that makes the JDK client retry a POST on a connection found closed. */
    static final String RETRY_ALL_METHODS = "jdk.httpclient.enableAllMethodRetry";
    /** What follows an answer (mapping, logging, the dispatcher's hand-off) takes microseconds. */
    private static final int THREADS = 2;

    private final HttpClient client;
    private final ScheduledThreadPoolExecutor pool;
    private final MetaSendCalls calls;
    private final Duration readTimeout;
    private final Duration callTimeout;
    private final int maxCalls;
    private final Object lock = new Object();
    /** Calls waiting for room, in order; guarded by {@link #lock}. */
    private final Queue<Waiting> waiting = new ArrayDeque<>();
    /** Calls started and not yet answered; guarded by {@link #lock}. */
    private int running;
    private boolean closed;
    private final AtomicBoolean released = new AtomicBoolean();

    MetaNonBlockingCalls(MetaProviderSettings s, HttpUrl baseUrl, MetaSendCalls calls) {
        this.calls = calls;
        this.readTimeout = s.readTimeout();
        this.callTimeout = s.callTimeout();
        this.maxCalls = Math.min(s.maxRequests(), s.maxRequestsPerHost());
        AtomicInteger n = new AtomicInteger();
        this.pool = new ScheduledThreadPoolExecutor(THREADS, r -> {
            Thread t = new Thread(r, "whatsapp-outbox-meta-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // a call answered in time cancels its timer: the timers of answered calls must not pile up
        pool.setRemoveOnCancelPolicy(true);
        HttpClient.Builder b = HttpClient.newBuilder()
                .executor(pool)
                .connectTimeout(s.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(baseUrl.isHttps() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1);
        ProxySelector proxies = ProxySelector.getDefault();
        if (proxies != null) {
            b.proxy(proxies);
        }
        this.client = b.build();
    }

    /**
     * Whether this path keeps the rule of no silent second POST in this JVM: not when the JVM
     * lets the JDK client retry every method.
     */
    static boolean usable() {
        String retryAll = System.getProperty(RETRY_ALL_METHODS);
        return retryAll == null || retryAll.strip().equalsIgnoreCase("false");
    }

    /** Sends a prepared request; the stage completes with exactly what the synchronous send would answer. */
    CompletionStage<SendResult> send(MetaSendRequests.Prepared call, OutboundMessage message) {
        CompletableFuture<SendResult> answered = new CompletableFuture<>();
        boolean now;
        synchronized (lock) {
            if (closed) {
                now = false;
                answered.complete(MetaSendRequests.closedAnswer());
            } else if (running < maxCalls) {
                running++;
                now = true;
            } else {
                waiting.add(new Waiting(call, message, answered));
                now = false;
            }
        }
        if (now) {
            start(call, message, answered);
        }
        return answered;
    }

    /** A call waiting for room: started when an answered call leaves it, or answered unsent on close. */
    private record Waiting(MetaSendRequests.Prepared call, OutboundMessage message,
            CompletableFuture<SendResult> answered) {}

    private void start(MetaSendRequests.Prepared call, OutboundMessage message, CompletableFuture<SendResult> answered) {
        Exchange exchange = new Exchange(message, call.token(), answered);
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(call.url().uri())
                    .timeout(readTimeout)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(call.body()));
            call.headers().forEach(request::header);
            exchange.deadline = pool.schedule(exchange::timedOut, callTimeout.toNanos(), TimeUnit.NANOSECONDS);
            CompletableFuture<HttpResponse<byte[]>> response = client.sendAsync(request.build(), exchange);
            exchange.response = response;
            if (exchange.isFinished()) {
                // the call timer fired before the exchange was known to it
                response.cancel(true);
            }
            response.whenComplete((answer, failure) -> {
                // the body's end answers first (see Exchange.apply); here come the failures before it
                if (failure != null) {
                    exchange.finish(MetaSendCalls.failed(unwrapped(failure), exchange.status, call.token()));
                }
            });
        } catch (RuntimeException | Error e) {
            // a request the JDK refused to build or start, or a pool that refused the timer
            exchange.finish(MetaSendCalls.failed(e, 0, call.token()));
        }
    }

    private static Throwable unwrapped(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A call is answered: room for the next in line, and the pool let go once closed and idle. */
    private void answered() {
        Waiting next;
        boolean idleAndClosed;
        synchronized (lock) {
            next = waiting.poll();
            if (next == null) {
                running--;
            }
            idleAndClosed = closed && running == 0;
        }
        if (next != null) {
            start(next.call(), next.message(), next.answered());
        } else if (idleAndClosed) {
            release();
        }
    }

    /**
     * No call starts any more: those waiting in line are answered as not sent; the pool and the
     * client are let go once the calls in flight are answered (at once when none is).
     */
    void close() {
        List<Waiting> neverStarted;
        boolean idle;
        synchronized (lock) {
            closed = true;
            neverStarted = List.copyOf(waiting);
            waiting.clear();
            idle = running == 0;
        }
        if (!neverStarted.isEmpty()) {
            log.info("The Meta provider is closed: {} call(s) waiting for room answered not sent", neverStarted.size());
        }
        neverStarted.forEach(w -> w.answered().complete(MetaSendRequests.closedAnswer()));
        if (idle) {
            release();
        }
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        pool.shutdown();
        // Java 21 adds HttpClient.shutdown() (orderly, does not wait); on 17 the client's selector
        // thread and idle connections go once the client is unreachable
        try {
            HttpClient.class.getMethod("shutdown").invoke(client);
        } catch (NoSuchMethodException e) {
            // Java 17-20
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("The Meta provider's HTTP client did not shut down: {}", e.toString());
        }
    }

    /** Calls started and not yet answered, and calls waiting for room (tests). */
    int running() {
        synchronized (lock) {
            return running;
        }
    }

    int waiting() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    /** Whether the pool was let go, waiting a little for its idle threads to end (tests). */
    boolean released() {
        try {
            return pool.isShutdown() && pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The threads of this provider's pool alive now (tests: in-flight calls hold none). */
    int poolThreads() {
        return pool.getPoolSize();
    }

    /**
     * One send: Meta's status as soon as the headers come, the answer once the body is read, or
     * the failure; completed once, whichever comes first (the call timer included).
     */
    private final class Exchange implements HttpResponse.BodyHandler<byte[]> {
        private final OutboundMessage message;
        private final String token;
        private final CompletableFuture<SendResult> answered;
        private final AtomicBoolean finished = new AtomicBoolean();
        /** Meta's status once its headers came, 0 before: a failure after it is an unreadable answer. */
        volatile int status;
        volatile ScheduledFuture<?> deadline;
        volatile CompletableFuture<HttpResponse<byte[]>> response;

        Exchange(OutboundMessage message, String token, CompletableFuture<SendResult> answered) {
            this.message = message;
            this.token = token;
            this.answered = answered;
        }

        @Override
        public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
            status = info.statusCode();
            String retryAfter = info.headers().firstValue("Retry-After").orElse(null);
            CappedBody body = new CappedBody(MetaSendCalls.MAX_RESPONSE_BYTES);
            body.getBody().whenComplete((bytes, failure) -> {
                if (failure != null) {
                    finish(MetaSendCalls.failed(unwrapped(failure), info.statusCode(), token));
                } else {
                    finish(() -> calls.answer(info.statusCode(), retryAfter, bytes, token));
                }
            });
            return body;
        }

        /** The call timeout passed: a timeout with the status if it had come, and the exchange cancelled. */
        void timedOut() {
            if (finish(MetaSendCalls.failed(new java.net.http.HttpTimeoutException(
                    "the call timeout of " + callTimeout.toMillis() + " ms passed"), status, token))) {
                CompletableFuture<HttpResponse<byte[]>> r = response;
                if (r != null) {
                    // since Java 16, cancelling sendAsync's stage with interruption aborts the exchange
                    r.cancel(true);
                }
            }
        }

        boolean isFinished() {
            return finished.get();
        }

        boolean finish(SendResult result) {
            return finish(() -> result);
        }

        /** Answers once, from this provider's pool, never from the JDK's selector thread. */
        private boolean finish(java.util.function.Supplier<SendResult> result) {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> timer = deadline;
            if (timer != null) {
                timer.cancel(false);
            }
            Runnable answer = () -> {
                try {
                    answered.complete(MetaSendCalls.logged(message, result.get()));
                } finally {
                    answered();
                }
            };
            try {
                pool.execute(answer);
            } catch (RuntimeException e) {
                // the pool is shut down only once nothing is in flight; answer here all the same
                answer.run();
            }
            return true;
        }
    }

    /** Meta's body, at most {@code max} bytes (an error page is cut there, as on the OkHttp path). */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CappedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                int n = Math.min(item.remaining(), max - bytes.size());
                byte[] chunk = new byte[n];
                item.get(chunk);
                bytes.write(chunk, 0, n);
                if (bytes.size() >= max) {
                    body.complete(bytes.toByteArray());
                    subscription.cancel();
                    return;
                }
            }
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }
}

package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProxySelector;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.routing.SystemDefaultRoutePlanner;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.IOReactorStatus;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asynchronous send through Apache HttpClient 5's non-blocking client: a call in flight holds
 * no thread (two I/O reactor threads do every connection's I/O), unlike OkHttp's {@code enqueue},
 * whose dispatcher thread blocks for the whole round trip. Same request, same answers and the same
 * safety rules as {@link MetaHttpClient}:
 *
 * <ul>
 *   <li>HTTP/2 negotiated by TLS ALPN where Graph offers it, its streams multiplexed on one
 *       connection; HTTP/1.1 only on a cleartext loopback base URL (a stub), so that no h2c
 *       upgrade is ever attempted;</li>
 *   <li>no automatic retry of any kind (a POST that reached Meta is never sent twice behind the
 *       outbox's back), no redirect followed, no cookies, no content compression; the JVM's
 *       default proxy selector, as OkHttp;</li>
 *   <li>the connect timeout; the read timeout as the longest silence on the connection while
 *       Meta's answer is awaited or read (OkHttp's read timeout); the call timeout bounds the
 *       whole call from a timer that cancels the exchange. Each is a {@code TIMEOUT}, with the
 *       status when it had come, as on the OkHttp path;</li>
 *   <li>at most {@code maxCalls} calls at once (the builder's {@code maxRequests} and
 *       {@code maxRequestsPerHost}: every send goes to the one Graph host), as many connections
 *       pooled; the others wait in line holding no thread, as OkHttp's dispatcher queues them.</li>
 * </ul>
 *
 * <p>The stage is completed from an I/O reactor thread, as the SPI allows (the dispatcher does
 * cheap work there). {@link #close()} answers the calls still waiting in line as not sent and
 * closes the client once the calls in flight are answered.
 */
final class MetaNonBlockingCalls {
    // the provider's logger: log configuration names the provider
    private static final Logger log = LoggerFactory.getLogger(MetaCloudProvider.class);
    /** Every connection's I/O; what follows an answer (mapping, logging, the dispatcher's hand-off) takes microseconds. */
    private static final int IO_THREADS = 2;

    private final CloseableHttpAsyncClient client;
    /** The call timers; one thread. */
    private final ScheduledThreadPoolExecutor timers;
    private final MetaSendCalls calls;
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
        this.callTimeout = s.callTimeout();
        this.maxCalls = Math.min(s.maxRequests(), s.maxRequestsPerHost());
        this.timers = new ScheduledThreadPoolExecutor(1, daemons("whatsapp-outbox-meta-http-timer"));
        // a call answered in time cancels its timer: the timers of answered calls must not pile up
        timers.setRemoveOnCancelPolicy(true);
        timers.prestartAllCoreThreads();
        PoolingAsyncClientConnectionManagerBuilder pool = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(maxCalls)
                .setMaxConnPerRoute(maxCalls)
                .setMessageMultiplexing(true)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(timeout(s.connectTimeout()))
                        .setSocketTimeout(timeout(s.readTimeout()))
                        .build())
                .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(
                        baseUrl.isHttps() ? HttpVersionPolicy.NEGOTIATE : HttpVersionPolicy.FORCE_HTTP_1).build());
        if (s.trustManager() != null) {
            pool.setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(MetaHttpClient.tls(s.trustManager()))
                    .buildAsync());
        }
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(pool.build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(IO_THREADS).build())
                .setThreadFactory(daemons("whatsapp-outbox-meta-http-io"))
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(timeout(s.readTimeout()))
                        .setRedirectsEnabled(false)
                        .build())
                .setRoutePlanner(new SystemDefaultRoutePlanner(ProxySelector.getDefault()))
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .build();
        client.start();
    }

    private static Timeout timeout(Duration d) {
        return Timeout.ofMilliseconds(d.toMillis());
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
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
        // the dispatcher cancels a stage it gave up (past the call timeout): the exchange goes too
        answered.whenComplete((r, thrown) -> {
            if (answered.isCancelled()) {
                exchange.abandon();
            }
        });
        try {
            AsyncRequestBuilder request = AsyncRequestBuilder.post(call.url().uri())
                    .setEntity(AsyncEntityProducers.create(call.body(),
                            ContentType.parse(call.headers().get("Content-Type"))));
            call.headers().forEach(request::setHeader);
            exchange.deadline = timers.schedule(exchange::timedOut, callTimeout.toNanos(), TimeUnit.NANOSECONDS);
            Future<byte[]> response = client.execute(request.build(), exchange, exchange);
            exchange.response = response;
            if (exchange.isFinished()) {
                // the call timer fired before the exchange was known to it
                response.cancel(true);
            }
        } catch (RuntimeException | Error e) {
            // a request the client refused to build or start, or a timer refused
            exchange.finish(MetaSendCalls.failed(e, 0, call.token()));
        }
    }

    /** A call is answered: room for the next in line, and the client closed once closed and idle. */
    private void answered() {
        Waiting next;
        boolean idleAndClosed;
        synchronized (lock) {
            // a call given up (cancelled) while in line is never started
            do {
                next = waiting.poll();
            } while (next != null && next.answered().isDone());
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
     * No call starts any more: those waiting in line are answered as not sent; the client closes
     * once the calls in flight are answered (at once when none is).
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
        // from the timer thread: the last answer may come from an I/O thread, which cannot wait
        // for its own reactor to stop
        timers.execute(() -> {
            try {
                client.close(CloseMode.GRACEFUL);
            } catch (RuntimeException e) {
                log.debug("The Meta provider's HTTP client did not close: {}", e.toString());
            } finally {
                timers.shutdown();
            }
        });
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

    /** Whether the client's close has begun, without waiting (tests). */
    boolean closing() {
        return released.get();
    }

    /** Whether the client was closed and its threads have ended, waiting a little for them (tests). */
    boolean released() {
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!released.get() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            return released.get() && timers.awaitTermination(10, TimeUnit.SECONDS)
                    && client.getStatus() == IOReactorStatus.SHUT_DOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * One send: Meta's status as soon as the headers come, its body (at most
     * {@link MetaSendCalls#MAX_RESPONSE_BYTES}, the rest read and dropped, as the OkHttp path cuts
     * it), the answer or the failure; completed once, whichever comes first, the call timer included.
     */
    private final class Exchange extends AbstractBinResponseConsumer<byte[]> implements FutureCallback<byte[]> {
        private final OutboundMessage message;
        private final String token;
        private final CompletableFuture<SendResult> answered;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream(512);
        /** Meta's status once its headers came, 0 before: a failure after it is an unreadable answer. */
        private volatile int status;
        private volatile String retryAfter;
        volatile ScheduledFuture<?> deadline;
        volatile Future<byte[]> response;

        Exchange(OutboundMessage message, String token, CompletableFuture<SendResult> answered) {
            this.message = message;
            this.token = token;
            this.answered = answered;
        }

        @Override
        protected void start(HttpResponse r, ContentType contentType) {
            Header header = r.getFirstHeader("Retry-After");
            retryAfter = header == null ? null : header.getValue();
            status = r.getCode();
        }

        @Override
        protected int capacityIncrement() {
            return 8 * 1024;
        }

        @Override
        protected void data(ByteBuffer src, boolean endOfStream) {
            int n = Math.min(src.remaining(), MetaSendCalls.MAX_RESPONSE_BYTES - body.size());
            if (n > 0) {
                byte[] chunk = new byte[n];
                src.get(chunk);
                body.write(chunk, 0, n);
            }
            src.position(src.limit());
        }

        @Override
        protected byte[] buildResult() {
            return body.toByteArray();
        }

        @Override
        public void releaseResources() {
            // the body is kept until the answer is read
        }

        @Override
        public void completed(byte[] bytes) {
            int s = status;
            String after = retryAfter;
            finish(() -> calls.answer(s, after, bytes, token));
        }

        @Override
        public void failed(Exception e) {
            // a protocol violation of the peer (garbage instead of a status line) is an I/O failure
            // of the call, as OkHttp reports it
            Throwable failure = e instanceof HttpException ? new java.net.ProtocolException(e.getMessage()) : e;
            finish(MetaSendCalls.failed(failure, status, token));
        }

        @Override
        public void cancelled() {
            // only the call timer cancels, once it has answered
        }

        /** The call timeout passed: a timeout with the status if it had come, and the exchange cancelled. */
        void timedOut() {
            if (finish(MetaSendCalls.failed(new InterruptedIOException(
                    "the call timeout of " + callTimeout.toMillis() + " ms passed"), status, token))) {
                Future<byte[]> r = response;
                if (r != null) {
                    r.cancel(true);
                }
            }
        }

        /** The stage was cancelled by its caller: the exchange is cancelled and its room given back. */
        void abandon() {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            ScheduledFuture<?> timer = deadline;
            if (timer != null) {
                timer.cancel(false);
            }
            Future<byte[]> r = response;
            if (r != null) {
                r.cancel(true);
            }
            answered();
        }

        boolean isFinished() {
            return finished.get();
        }

        boolean finish(SendResult result) {
            return finish(() -> result);
        }

        private boolean finish(java.util.function.Supplier<SendResult> result) {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> timer = deadline;
            if (timer != null) {
                timer.cancel(false);
            }
            SendResult r;
            try {
                r = MetaSendCalls.logged(message, result.get());
            } catch (RuntimeException | Error e) {
                answered();
                answered.completeExceptionally(e);
                return true;
            }
            // the room is given back before the answer is handed on: whoever sees the answer sees
            // the call finished (and, once closed, the client closing)
            answered();
            answered.complete(r);
            return true;
        }
    }
}

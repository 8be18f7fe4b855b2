package io.whatsappoutbox.core.testing;

import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.SendResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A provider tests script: by default it accepts everything; a script per recipient can fail with
 * any code, hang, or throw, a given number of times or always. It records every call, so tests
 * count what reached the provider (duplicates included).
 */
public final class ScriptedProvider implements MessageProvider {
    private final String name;
    private final ErrorCatalogue catalogue;
    private final Map<String, Queue<Function<OutboundMessage, SendResult>>> byRecipient = new ConcurrentHashMap<>();
    private volatile Function<OutboundMessage, SendResult> fallback;
    private final List<OutboundMessage> calls = new CopyOnWriteArrayList<>();
    private final Map<Long, AtomicInteger> callsPerMessage = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private volatile Duration callTimeout = Duration.ZERO;
    private volatile int maxConcurrentCalls = Integer.MAX_VALUE;
    private volatile boolean asynchronous;
    private final AtomicInteger unanswered = new AtomicInteger();
    private final AtomicInteger mostUnanswered = new AtomicInteger();

    public ScriptedProvider(String name, ErrorCatalogue catalogue) {
        this.name = name;
        this.catalogue = catalogue;
        this.fallback = this::accept;
    }

    public static ScriptedProvider whatsapp() {
        return new ScriptedProvider("scripted-meta", ErrorCatalogue.meta());
    }

    public static ScriptedProvider sms() {
        return new ScriptedProvider("scripted-sms", ErrorCatalogue.twilio());
    }

    /** Accepts with a fresh provider id. */
    public SendResult accept(OutboundMessage m) {
        return SendResult.accepted(name + "." + m.id() + "." + sequence.incrementAndGet());
    }

    public static Function<OutboundMessage, SendResult> error(String code, int httpStatus) {
        return m -> SendResult.rejected(ProviderError.of(code, httpStatus, "scripted error " + code));
    }

    public static Function<OutboundMessage, SendResult> error(ProviderError e) {
        return m -> SendResult.rejected(e);
    }

    public Function<OutboundMessage, SendResult> hangThenAccept(Duration hang) {
        return m -> {
            try {
                Thread.sleep(hang.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return accept(m);
        };
    }

    /**
     * A call that counts {@code started} down, then waits (at most 10 s) for {@code release} before
     * answering with {@code then}: a test acts while the call is in flight.
     */
    public static Function<OutboundMessage, SendResult> held(CountDownLatch started, CountDownLatch release,
            Function<OutboundMessage, SendResult> then) {
        return m -> {
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return then.apply(m);
        };
    }

    public static Function<OutboundMessage, SendResult> throwing() {
        return m -> {
            throw new IllegalStateException("scripted provider bug");
        };
    }

    /** The next sends to {@code e164} follow these steps, one per call; then the default applies. */
    @SafeVarargs
    public final ScriptedProvider script(String e164, Function<OutboundMessage, SendResult>... steps) {
        Queue<Function<OutboundMessage, SendResult>> q = byRecipient.computeIfAbsent(e164, k -> new ConcurrentLinkedQueue<>());
        q.addAll(List.of(steps));
        return this;
    }

    /** What every send without a script does (accept by default). */
    public ScriptedProvider otherwise(Function<OutboundMessage, SendResult> behaviour) {
        this.fallback = behaviour;
        return this;
    }

    @Override
    public SendResult send(OutboundMessage message) {
        calls.add(message);
        callsPerMessage.computeIfAbsent(message.id(), id -> new AtomicInteger()).incrementAndGet();
        Queue<Function<OutboundMessage, SendResult>> q = byRecipient.get(message.to().value());
        Function<OutboundMessage, SendResult> step = q == null ? null : q.poll();
        return (step == null ? fallback : step).apply(message);
    }

    /**
     * Makes the provider asynchronous: each call's step runs on a thread of its own and completes
     * the stage from there, as an HTTP client's callback does; a step that throws fails the stage.
     */
    public ScriptedProvider asynchronous() {
        this.asynchronous = true;
        return this;
    }

    @Override
    public boolean isAsynchronous() {
        return asynchronous;
    }

    @Override
    public CompletionStage<SendResult> sendAsync(OutboundMessage message) {
        if (!asynchronous) {
            throw new IllegalStateException("sendAsync called on a synchronous provider");
        }
        calls.add(message);
        callsPerMessage.computeIfAbsent(message.id(), id -> new AtomicInteger()).incrementAndGet();
        Queue<Function<OutboundMessage, SendResult>> q = byRecipient.get(message.to().value());
        Function<OutboundMessage, SendResult> step = q == null ? null : q.poll();
        Function<OutboundMessage, SendResult> behaviour = step == null ? fallback : step;
        mostUnanswered.accumulateAndGet(unanswered.incrementAndGet(), Math::max);
        CompletableFuture<SendResult> answer = new CompletableFuture<>();
        Thread callback = new Thread(() -> {
            try {
                SendResult r = behaviour.apply(message);
                unanswered.decrementAndGet();
                answer.complete(r);
            } catch (RuntimeException e) {
                unanswered.decrementAndGet();
                answer.completeExceptionally(e);
            }
        }, "scripted-callback");
        callback.setDaemon(true);
        callback.start();
        return answer;
    }

    /** The most asynchronous calls that were unanswered at once. */
    public int mostUnanswered() {
        return mostUnanswered.get();
    }

    @Override
    public String name() {
        return name;
    }

    /** Says each call takes at most this long, as an HTTP provider's call timeout does. */
    public ScriptedProvider callTimeout(Duration timeout) {
        this.callTimeout = timeout;
        return this;
    }

    @Override
    public Duration callTimeout() {
        return callTimeout;
    }

    /** Says its client carries at most this many calls at once. */
    public ScriptedProvider maxConcurrentCalls(int calls) {
        this.maxConcurrentCalls = calls;
        return this;
    }

    @Override
    public int maxConcurrentCalls() {
        return maxConcurrentCalls;
    }

    @Override
    public ErrorCatalogue errorCatalogue() {
        return catalogue;
    }

    public List<OutboundMessage> calls() {
        return List.copyOf(calls);
    }

    public int callsFor(long messageId) {
        AtomicInteger n = callsPerMessage.get(messageId);
        return n == null ? 0 : n.get();
    }

    public Map<Long, AtomicInteger> callsPerMessage() {
        return callsPerMessage;
    }
}

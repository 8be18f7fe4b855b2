package io.whatsappoutbox.core.dispatch;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.SendResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers of one channel in order of preference, each behind a Resilience4j circuit
 * breaker. A send goes to the first provider whose breaker lets it through; a provider that keeps
 * failing for its own reasons ({@code PROVIDER_UNAVAILABLE}: service unavailable, timeouts, network
 * failures, 502-504; not a bad recipient, not one message's repeated error) opens its breaker, and sends go to the next one until a half-open probe finds it healthy again. Every
 * switch and every change of a breaker is logged and told to the listeners.
 */
final class ProviderChain {
    private static final Logger log = LoggerFactory.getLogger(ProviderChain.class);

    private final Channel channel;
    private final List<Link> links;
    private final OutboxListener listener;
    private final AtomicReference<String> active = new AtomicReference<>();
    private final Duration openWait;
    /** Every provider of the chain sends without holding a thread: the dispatcher takes the asynchronous path. */
    private final boolean asynchronous;
    /**
     * How long past its own call timeout a provider's stage may stay open before the chain gives
     * it up as a {@code TIMEOUT}: within the lease's write margin, so that a stage a provider never
     * completes neither holds its message past the lease nor its breaker's call forever.
     */
    private final Duration answerGrace;

    /** One provider, its breaker and the catalogue its codes are read with. */
    record Link(MessageProvider provider, CircuitBreaker breaker, ErrorCatalogue catalogue) {}

    /** What came of a send: which provider answered, how, and the catalogue to read it with. */
    record Outcome(String provider, SendResult result, ErrorCatalogue catalogue, Duration duration) {}

    ProviderChain(Channel channel, List<MessageProvider> providers, ErrorCatalogue catalogueOverride,
            CircuitBreakerConfig breakerConfig, OutboxListener listener, Duration answerGrace) {
        this.channel = channel;
        this.answerGrace = answerGrace;
        this.listener = listener;
        List<Link> built = new ArrayList<>();
        for (MessageProvider p : providers) {
            CircuitBreaker breaker = CircuitBreaker.of(channel.name().toLowerCase() + "-" + p.name(), breakerConfig);
            breaker.getEventPublisher().onStateTransition(e -> {
                log.warn("Provider {} on {}: circuit {}", p.name(), channel, e.getStateTransition());
                listener.onCircuitStateChange(new OutboxListener.CircuitStateChanged(channel, p.name(),
                        state(e.getStateTransition().getFromState()), state(e.getStateTransition().getToState())));
            });
            built.add(new Link(p, breaker, catalogueOverride != null ? catalogueOverride : p.errorCatalogue()));
        }
        this.links = List.copyOf(built);
        long waitMillis = breakerConfig.getWaitIntervalFunctionInOpenState().apply(1);
        this.openWait = Duration.ofMillis(waitMillis > 0 ? waitMillis : 30_000);
        this.active.set(links.isEmpty() ? null : links.get(0).provider().name());
        this.asynchronous = !links.isEmpty() && links.stream().allMatch(l -> l.provider().isAsynchronous());
    }

    /** Whether {@link #sendAsync} is the way to send: every provider is asynchronous. */
    boolean isAsynchronous() {
        return asynchronous;
    }

    /** How long an open circuit waits before its probe: a message finding every circuit open waits that long. */
    Duration openWait() {
        return openWait;
    }

    boolean isEmpty() {
        return links.isEmpty();
    }

    /** The longest call of any provider of the chain. */
    Duration callTimeout() {
        Duration longest = Duration.ZERO;
        for (Link link : links) {
            Duration t = link.provider().callTimeout();
            if (t != null && t.compareTo(longest) > 0) {
                longest = t;
            }
        }
        return longest;
    }

    /** The fewest calls at once any provider of the chain carries. */
    int maxConcurrentCalls() {
        int fewest = Integer.MAX_VALUE;
        for (Link link : links) {
            fewest = Math.min(fewest, Math.max(1, link.provider().maxConcurrentCalls()));
        }
        return fewest;
    }

    /** The catalogue of the preferred provider, for errors decided before any call. */
    ErrorCatalogue primaryCatalogue() {
        return links.get(0).catalogue();
    }

    /** Each provider's catalogue by its name, for the receipts of the messages it accepted. */
    Map<String, ErrorCatalogue> cataloguesByProvider() {
        Map<String, ErrorCatalogue> byName = new LinkedHashMap<>();
        links.forEach(l -> byName.putIfAbsent(l.provider().name(), l.catalogue()));
        return byName;
    }

    Outcome send(OutboundMessage message) {
        for (Link link : links) {
            if (!link.breaker().tryAcquirePermission()) {
                continue;
            }
            noteActive(link.provider().name());
            long start = System.nanoTime();
            SendResult result;
            try {
                result = link.provider().send(message);
                if (result == null) {
                    throw new IllegalStateException("provider returned no result");
                }
            } catch (RuntimeException e) {
                log.warn("Provider {} threw while sending message {} of org {}: {}", link.provider().name(),
                        message.id(), message.orgId(), SafeText.describe(e));
                result = SendResult.rejected(ProviderError.network(OutboxErrorCodes.PROVIDER_EXCEPTION,
                        SafeText.describe(e)));
            }
            long nanos = System.nanoTime() - start;
            try {
                record(link, result, nanos);
            } catch (RuntimeException e) {
                // a host's catalogue that throws must not lose what the provider answered
                log.warn("Recording the answer of provider {} for message {} threw: {}", link.provider().name(),
                        message.id(), SafeText.describe(e));
            }
            return new Outcome(link.provider().name(), result, link.catalogue(), Duration.ofNanos(nanos));
        }
        return everyCircuitOpen();
    }

    /**
     * The asynchronous {@link #send}: the same failover, breakers and answers, composed on the
     * providers' stages with Resilience4j's completion-stage decoration, so that no thread waits
     * for a call. The stage never completes exceptionally: a provider's failed stage, or one it
     * throws instead of returning, is its {@code PROVIDER_EXCEPTION} answer.
     */
    CompletionStage<Outcome> sendAsync(OutboundMessage message) {
        return attempt(message, 0);
    }

    private CompletionStage<Outcome> attempt(OutboundMessage message, int index) {
        if (index >= links.size()) {
            return CompletableFuture.completedFuture(everyCircuitOpen());
        }
        Link link = links.get(index);
        long start = System.nanoTime();
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        // the supplier runs only once the breaker lets the call through
        CircuitBreaker.decorateCompletionStage(link.breaker(), () -> {
            noteActive(link.provider().name());
            return call(link, message).thenApply(result -> countedAgainstBreaker(link, message, result));
        }).get().whenComplete((result, thrown) -> {
            Throwable cause = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause()
                    : thrown;
            if (cause instanceof CallNotPermittedException) {
                attempt(message, index + 1).whenComplete((next, never) -> outcome.complete(next));
                return;
            }
            SendResult answer = cause instanceof ProviderFailure failure && failure.result != null ? failure.result
                    : cause != null ? exception(link, message, cause) : result;
            outcome.complete(new Outcome(link.provider().name(), answer, link.catalogue(),
                    Duration.ofNanos(System.nanoTime() - start)));
        });
        return outcome;
    }

    /**
     * The provider's stage, with what it throws or fails with turned into its PROVIDER_EXCEPTION
     * answer, bounded by its call timeout.
     */
    private CompletionStage<SendResult> call(Link link, OutboundMessage message) {
        CompletionStage<SendResult> stage;
        try {
            stage = link.provider().sendAsync(message);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(exception(link, message, e));
        }
        if (stage == null) {
            return CompletableFuture.completedFuture(exception(link, message,
                    new IllegalStateException("provider returned no stage")));
        }
        CompletionStage<SendResult> provided = stage;
        return bounded(link, message, provided, provided.handle((result, thrown) -> thrown != null
                ? exception(link, message, thrown)
                : result != null ? result : exception(link, message, new IllegalStateException("provider returned no result"))));
    }

    /**
     * The provider's answer, or a {@code TIMEOUT} once its call timeout and the grace have passed
     * without one: the provider's stage is then cancelled (a provider may cancel its call, so that
     * one still queued in its client is never sent) and whatever it answers later is not used. A
     * provider without a call timeout is waited for.
     */
    private CompletionStage<SendResult> bounded(Link link, OutboundMessage message, CompletionStage<SendResult> provided,
            CompletionStage<SendResult> answer) {
        Duration timeout = link.provider().callTimeout();
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return answer;
        }
        Duration limit = timeout.plus(answerGrace);
        CompletableFuture<SendResult> bounded = new CompletableFuture<>();
        answer.whenComplete((result, never) -> bounded.complete(result));
        return bounded.orTimeout(limit.toNanos(), TimeUnit.NANOSECONDS).exceptionally(thrown -> {
            if (provided instanceof CompletableFuture<?> f) {
                f.cancel(false);
            }
            log.warn("Provider {} gave no answer for message {} of org {} within {} ms (its call timeout and {} ms):"
                    + " recorded as a timeout, it may have sent the message", link.provider().name(), message.id(),
                    message.orgId(), limit.toMillis(), answerGrace.toMillis());
            return SendResult.rejected(ProviderError.network(OutboxErrorCodes.TIMEOUT,
                    link.provider().name() + " gave no answer within " + limit.toMillis() + " ms"));
        });
    }

    private static SendResult exception(Link link, OutboundMessage message, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        log.warn("Provider {} threw while sending message {} of org {}: {}", link.provider().name(),
                message.id(), message.orgId(), SafeText.describe(cause));
        return SendResult.rejected(ProviderError.network(OutboxErrorCodes.PROVIDER_EXCEPTION, SafeText.describe(cause)));
    }

    /**
     * As {@link #record}, for the decorated stage: an outage of the provider fails the stage (the
     * breaker counts it, the answer travels in the failure), anything else completes it.
     */
    private static SendResult countedAgainstBreaker(Link link, OutboundMessage message, SendResult result) {
        boolean outage;
        try {
            outage = result instanceof SendResult.Rejected r
                    && link.catalogue().classify(r.error()).category() == ErrorCategory.PROVIDER_UNAVAILABLE;
        } catch (RuntimeException e) {
            // a host's catalogue that throws must not lose what the provider answered
            log.warn("Recording the answer of provider {} for message {} threw: {}", link.provider().name(),
                    message.id(), SafeText.describe(e));
            return result;
        }
        if (outage) {
            throw new ProviderFailure(((SendResult.Rejected) result).error().code(), result);
        }
        return result;
    }

    private Outcome everyCircuitOpen() {
        return new Outcome(null, SendResult.rejected(ProviderError.network(OutboxErrorCodes.PROVIDER_UNAVAILABLE,
                "every " + channel + " provider is unavailable (circuit open)")), links.get(0).catalogue(),
                Duration.ZERO);
    }

    /**
     * Only an outage of the provider itself counts against its breaker: a message that fails again
     * and again for its own reasons (131000, a bad recipient) must not switch a healthy provider off.
     */
    private void record(Link link, SendResult result, long nanos) {
        if (result instanceof SendResult.Rejected r) {
            if (link.catalogue().classify(r.error()).category() == ErrorCategory.PROVIDER_UNAVAILABLE) {
                link.breaker().onError(nanos, TimeUnit.NANOSECONDS, new ProviderFailure(r.error().code()));
                return;
            }
        }
        link.breaker().onSuccess(nanos, TimeUnit.NANOSECONDS);
    }

    private void noteActive(String name) {
        String previous = active.getAndSet(name);
        if (previous != null && !previous.equals(name)) {
            log.warn("{} sends switched from provider {} to {}", channel, previous, name);
            listener.onProviderSwitch(new OutboxListener.ProviderSwitched(channel, previous, name));
        }
    }

    /** Each provider's breaker now, by provider name, in failover order. */
    Map<String, OutboxListener.CircuitState> breakers() {
        Map<String, OutboxListener.CircuitState> states = new LinkedHashMap<>();
        links.forEach(l -> states.put(l.provider().name(), state(l.breaker().getState())));
        return states;
    }

    private static OutboxListener.CircuitState state(CircuitBreaker.State s) {
        return switch (s) {
            case CLOSED -> OutboxListener.CircuitState.CLOSED;
            case OPEN -> OutboxListener.CircuitState.OPEN;
            case HALF_OPEN -> OutboxListener.CircuitState.HALF_OPEN;
            default -> OutboxListener.CircuitState.OTHER;
        };
    }

    /** Recorded as the breaker's error: the provider's code, no message. */
    static final class ProviderFailure extends RuntimeException {
        /** The answer the failure stands for, on the asynchronous path; null on the synchronous one. */
        final transient SendResult result;

        ProviderFailure(String code) {
            this(code, null);
        }

        ProviderFailure(String code, SendResult result) {
            super(code, null, false, false);
            this.result = result;
        }
    }
}

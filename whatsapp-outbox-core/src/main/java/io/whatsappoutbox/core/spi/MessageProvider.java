package io.whatsappoutbox.core.spi;

import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.OutboundMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sends one message through one provider (Meta Cloud API, an SMS API, a test double).
 *
 * <p>The dispatcher calls it with no database transaction open, from several threads at once.
 * Every failure the provider reports, and every network failure, comes back as
 * {@link SendResult.Rejected} with the provider's code; an exception thrown anyway is recorded as
 * {@code PROVIDER_EXCEPTION} and retried like an unknown error.
 *
 * <p>A provider that can send without holding a thread for the round trip (an HTTP client's
 * asynchronous call) says so with {@link #isAsynchronous()} and implements {@link #sendAsync}: the
 * dispatcher then starts its calls and takes their results as they complete, with as many in flight
 * as its pacing needs, not as it has threads. A provider that only implements {@link #send} keeps
 * working as it always did, on the dispatcher's send threads.
 */
@FunctionalInterface
public interface MessageProvider {

    SendResult send(OutboundMessage message);

    /**
     * Starts sending one message and completes with the same answer {@link #send} would give:
     * every failure the provider reports, and every network failure, completes normally as
     * {@link SendResult.Rejected}; a stage that completes exceptionally is recorded as
     * {@code PROVIDER_EXCEPTION}, as an exception thrown by {@code send} is. The stage is completed
     * from the provider's own thread (an HTTP client's callback): the dispatcher does cheap work
     * there and never blocks it. Called only when {@link #isAsynchronous()} says true; the default
     * runs {@link #send} in the calling thread.
     */
    default CompletionStage<SendResult> sendAsync(OutboundMessage message) {
        return CompletableFuture.completedFuture(send(message));
    }

    /**
     * Whether {@link #sendAsync} returns without waiting for the provider's answer. False by default:
     * the dispatcher then calls {@link #send} on its send threads.
     */
    default boolean isAsynchronous() {
        return false;
    }

    /** A short name for logs, metrics and attempt rows ({@code meta}, {@code twilio}). */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * The longest one {@link #send} may take (an HTTP client's call timeout). The dispatcher starts
     * no call later than this before the message's lease ends, so that no call outlives its lease,
     * and refuses a lease not longer than it. Zero, the default, says the provider does not bound
     * its calls: the dispatcher then keeps no room for the call itself. A {@link #sendAsync} stage
     * still open this long after the call, and half the lease's write margin more, is given up as
     * {@code TIMEOUT} (it may have sent the message) and retried, before the lease could be
     * recovered: what the stage answers later is not used.
     */
    default Duration callTimeout() {
        return Duration.ZERO;
    }

    /**
     * How many {@link #sendAsync} calls the provider's client carries at once (its connection or
     * request limit); the dispatcher starts no more. A call beyond it would wait in the client's own
     * line and leave it later, together with others, past the pace the dispatcher kept. Unbounded
     * by default.
     */
    default int maxConcurrentCalls() {
        return Integer.MAX_VALUE;
    }

    /** How this provider's error codes are classified; the dispatcher may override it. */
    default ErrorCatalogue errorCatalogue() {
        return ErrorCatalogue.builder(name()).build();
    }
}

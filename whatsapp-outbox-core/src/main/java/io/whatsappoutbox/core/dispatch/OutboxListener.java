package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.Attempt;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.store.QueueSnapshot;
import java.time.Duration;

/**
 * What the outbox does, as it does it: claims, provider calls, deferrals, dead letters, delivery
 * receipts, fallbacks, provider switches, circuit breaker changes, recovered leases and queue
 * snapshots. The Micrometer meters are one listener; a host adds its own with
 * {@link Dispatcher.Builder#listener(OutboxListener)} (or
 * {@link io.whatsappoutbox.core.webhook.WebhookProcessor.Builder#listener(OutboxListener)}).
 *
 * <p>Every method does nothing by default. They are called on the dispatcher's threads, while
 * they send: a listener must return quickly and must not block. One that throws is logged (once
 * per kind of event) and never stops a send. The events carry no personal data: no phone number,
 * no message body.
 */
public interface OutboxListener {
    /** A claim thread claimed a batch. */
    default void onClaim(Claimed claim) {}

    /**
     * A message went through a provider call, or was stopped by a send rule before any call
     * ({@link Attempt.Outcome#BLOCKED}), or found every provider's circuit open.
     */
    default void onAttempt(Attempted attempt) {}

    /** A message was put back without spending an attempt: a rate limit, a quota, a pace, an open circuit. */
    default void onDeferral(Deferred deferral) {}

    /** A message went to the dead letter. */
    default void onDeadLetter(DeadLettered deadLetter) {}

    /** A delivery receipt reached a sent message. */
    default void onDelivery(Delivered delivery) {}

    /** SMS fallbacks were created (for dead letters, or for messages not delivered in time). */
    default void onFallbacksCreated(int count) {}

    /** A channel's sends moved from one provider to another. */
    default void onProviderSwitch(ProviderSwitched change) {}

    /** A provider's circuit breaker changed state. */
    default void onCircuitStateChange(CircuitStateChanged change) {}

    /** Expired leases were given back to the queue (their dispatcher died or stalled). */
    default void onLeasesRecovered(int count) {}

    /** The queue was counted (maintenance). */
    default void onQueueSnapshot(QueueSnapshot snapshot) {}

    /**
     * The share of its business account's messaging limit each org's account used in the last 24
     * hours (recipients / limit), for the orgs whose account has a limit (maintenance, with the
     * queue's count).
     */
    default void onMessagingLimitUsage(java.util.Map<String, Double> usageRatioByOrg) {}

    /**
     * @param count messages claimed
     * @param stuck of them, first attempts that waited longer than the stuck threshold
     */
    record Claimed(int count, int stuck) {}

    /**
     * @param provider the provider called, null when none was (a send rule, every circuit open)
     * @param errorCode null when the provider accepted the message
     * @param category what the error means, null when accepted; for a retry or a deferral the
     *     provider's classification, for a dead letter the dead letter's
     * @param callDuration the provider call, zero without one
     * @param sinceDue from the message's due time to the end of the attempt
     */
    record Attempted(Channel channel, String provider, Attempt.Outcome outcome, String errorCode,
            ErrorCategory category, Duration callDuration, Duration sinceDue) {}

    /** @param delay until the message is due again */
    record Deferred(Channel channel, String errorCode, Duration delay) {}

    /**
     * @param provider the provider whose answer decided it, null when none was called
     * @param fallback whether an SMS fallback goes with it
     */
    record DeadLettered(Channel channel, String provider, String errorCode, ErrorCategory category, boolean fallback) {}

    /** @param sinceEnqueue from the message's enqueue to its delivery */
    record Delivered(Channel channel, Duration sinceEnqueue) {}

    /** @param from the provider that sent before, {@code to} the one that sends now */
    record ProviderSwitched(Channel channel, String from, String to) {}

    /** @param provider the provider's {@code MessageProvider.name()} */
    record CircuitStateChanged(Channel channel, String provider, CircuitState from, CircuitState to) {}

    /** A circuit breaker's state. */
    enum CircuitState {
        /** Calls go through. */
        CLOSED,
        /** Calls go to the next provider until the wait is over. */
        OPEN,
        /** A few probe calls decide whether it closes again. */
        HALF_OPEN,
        /** Any other state of the breaker (disabled, forced open, metrics only): the dispatcher sets none. */
        OTHER
    }
}

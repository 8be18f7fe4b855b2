package io.whatsappoutbox.core;

import java.time.Duration;
import java.time.Instant;

/**
 * One attempt to send a message (the runbook's {@code outbound_attempt} row): kept when the
 * message is retried, so the history stays readable.
 *
 * @param provider the provider called, or null when a rule stopped the message before any call
 * @param outcome what came of it
 * @param error the error, or null for an accepted send
 * @param httpStatus the provider's HTTP status, or 0
 * @param nextAttemptAt when the message was rescheduled to, or null
 */
public record Attempt(long id, long messageId, int attemptNumber, String provider, Outcome outcome,
        ErrorInfo error, int httpStatus, String providerMessageId, Instant startedAt, Duration duration,
        Instant nextAttemptAt) {

    /** What an attempt ended in. */
    public enum Outcome {
        /** Accepted by the provider. */
        SENT,
        /** Failed and rescheduled, the attempt spent. */
        RETRY,
        /** Rate-limited and rescheduled, no attempt spent. */
        DEFERRED,
        /** Sent to the dead letter. */
        DEAD_LETTER,
        /** Stopped by a rule (consent, session window) before any provider call: dead letter. */
        BLOCKED
    }
}

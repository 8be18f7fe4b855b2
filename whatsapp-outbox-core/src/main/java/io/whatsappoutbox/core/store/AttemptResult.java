package io.whatsappoutbox.core.store;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The result of one claimed message, for the store to write in a batch. Build it with the static
 * factories, which keep the fields consistent with the outcome.
 *
 * @param leaseOwner the lease the message was claimed under: the write is refused if it was lost
 * @param provider the provider called, or null when none was
 * @param recordAttempt whether to write an {@code outbound_attempt} row (not for a deferral made
 *     before any provider call)
 * @param throttleOrgUntil pause the org on this channel until then, or null
 * @param revokeConsent the provider says the recipient opted out: revoke consent for the channel
 * @param fallback the message to create on another channel when this one is dead-lettered, or null
 * @param revokedPurpose with {@code revokeConsent}, the one purpose revoked (MARKETING for Meta's
 *     131050), or null for every purpose of the channel
 */
public record AttemptResult(OutboundMessage message, String leaseOwner, Outcome outcome, String provider, Instant startedAt,
        Duration duration, String providerMessageId, ErrorInfo error, int httpStatus, Instant nextAttemptAt,
        boolean recordAttempt, Instant throttleOrgUntil, boolean revokeConsent, OutboundMessageRequest fallback,
        ConsentPurpose revokedPurpose) {

    /** A result whose opt-out (if any) revokes every purpose. */
    public AttemptResult(OutboundMessage message, String leaseOwner, Outcome outcome, String provider,
            Instant startedAt, Duration duration, String providerMessageId, ErrorInfo error, int httpStatus,
            Instant nextAttemptAt, boolean recordAttempt, Instant throttleOrgUntil, boolean revokeConsent,
            OutboundMessageRequest fallback) {
        this(message, leaseOwner, outcome, provider, startedAt, duration, providerMessageId, error, httpStatus,
                nextAttemptAt, recordAttempt, throttleOrgUntil, revokeConsent, fallback, null);
    }

    public AttemptResult {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(leaseOwner, "leaseOwner");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(startedAt, "startedAt");
        duration = duration == null ? Duration.ZERO : duration;
        if (outcome == Outcome.SENT) {
            Objects.requireNonNull(providerMessageId, "providerMessageId of a SENT result");
        } else {
            Objects.requireNonNull(error, "error of a " + outcome + " result");
        }
        if (outcome == Outcome.RETRY || outcome == Outcome.DEFERRED) {
            Objects.requireNonNull(nextAttemptAt, "nextAttemptAt of a " + outcome + " result");
        }
        if (fallback != null && outcome != Outcome.DEAD_LETTER && outcome != Outcome.BLOCKED) {
            throw new IllegalArgumentException("only a dead-lettered message falls back");
        }
    }

    public static AttemptResult sent(ClaimedMessage c, String provider, Instant startedAt, Duration duration,
            String providerMessageId, int httpStatus) {
        return new AttemptResult(c.message(), c.leaseOwner(), Outcome.SENT, provider, startedAt, duration, providerMessageId, null, httpStatus,
                null, true, null, false, null);
    }

    /** A failed attempt, spent, rescheduled. */
    public static AttemptResult retry(ClaimedMessage c, String provider, Instant startedAt, Duration duration,
            ErrorInfo error, int httpStatus, Instant nextAttemptAt) {
        return new AttemptResult(c.message(), c.leaseOwner(), Outcome.RETRY, provider, startedAt, duration, null, error, httpStatus,
                nextAttemptAt, true, null, false, null);
    }

    /**
     * Rescheduled without spending the attempt: a provider rate limit ({@code provider} set, attempt
     * row written) or a quota / throttle deferral before any call ({@code provider} null, no row).
     */
    public static AttemptResult deferred(ClaimedMessage c, String provider, Instant startedAt, Duration duration,
            ErrorInfo error, int httpStatus, Instant nextAttemptAt, Instant throttleOrgUntil) {
        return new AttemptResult(c.message(), c.leaseOwner(), Outcome.DEFERRED, provider, startedAt, duration, null, error, httpStatus,
                nextAttemptAt, provider != null, throttleOrgUntil, false, null);
    }

    public static AttemptResult deadLetter(ClaimedMessage c, String provider, Instant startedAt, Duration duration,
            ErrorInfo error, int httpStatus, boolean revokeConsent, OutboundMessageRequest fallback) {
        return new AttemptResult(c.message(), c.leaseOwner(), Outcome.DEAD_LETTER, provider, startedAt, duration, null, error, httpStatus,
                null, true, null, revokeConsent, fallback);
    }

    /** Stopped by a send rule before any provider call: dead letter, with an attempt row saying why. */
    public static AttemptResult blocked(ClaimedMessage c, Instant at, ErrorInfo error, OutboundMessageRequest fallback) {
        return new AttemptResult(c.message(), c.leaseOwner(), Outcome.BLOCKED, null, at, Duration.ZERO, null, error, 0, null, true, null, false,
                fallback);
    }

    public long messageId() {
        return message.id();
    }

    /** Whether the message's attempt, counted at the claim, stays spent. */
    public boolean spendsAttempt() {
        return outcome != Outcome.DEFERRED;
    }
}

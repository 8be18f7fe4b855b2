package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.RetryDecision;
import io.whatsappoutbox.core.internal.FailureDecider;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimedMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what became of a claimed message (a provider's answer, a refusal before any call, a pace
 * or lease that did not allow the call, host code that threw) into its one attempt result, and
 * tells the listener. Shared by the synchronous and the asynchronous send paths.
 */
final class AttemptOutcomes {
    private static final Logger log = LoggerFactory.getLogger(AttemptOutcomes.class);
    private static final Duration PACED_RETRY = Duration.ofSeconds(1);

    private final FailureDecider decider;
    private final Map<Channel, ProviderChain> chains;
    private final OutboxListener listener;
    private final Clock clock;

    AttemptOutcomes(FailureDecider decider, Map<Channel, ProviderChain> chains, OutboxListener listener, Clock clock) {
        this.decider = decider;
        this.chains = chains;
        this.listener = listener;
        this.clock = clock;
    }

    /** True when a fallback rule takes the message's dead letters of this category. */
    boolean fallsBackOn(OutboundMessage m, ErrorCategory category) {
        return decider.fallsBackOn(m, category);
    }

    /** No pace slot of the message's sender came in time: it is tried again shortly, no attempt spent. */
    AttemptResult paced(ClaimedMessage c, Instant startedAt) {
        return paced(c, startedAt, startedAt.plus(PACED_RETRY));
    }

    /** The same, due again at {@code retryAt} (a shared pace's next positions). */
    AttemptResult paced(ClaimedMessage c, Instant startedAt, Instant retryAt) {
        return defer(c, new ErrorInfo(OutboxErrorCodes.ORG_THROTTLED, "Sender " + Pacer.senderOf(c)
                + " at its pace limit", ErrorCategory.RATE_LIMITED), retryAt, startedAt);
    }

    /**
     * Too little of the lease is left for the call to finish before it ends: sent now, the message
     * could be recovered and sent again while this call runs. It goes back to the queue, due at once,
     * without spending an attempt, and is claimed again under a fresh lease.
     */
    AttemptResult givenBack(ClaimedMessage c, Instant now) {
        log.debug("Message {} of org {} given back: its lease ends before a call could finish", c.message().id(),
                c.message().orgId());
        listener.onDeferral(new OutboxListener.Deferred(c.message().channel(), OutboxErrorCodes.LEASE_ENDING, Duration.ZERO));
        return AttemptResult.deferred(c, null, now, Duration.ZERO, new ErrorInfo(OutboxErrorCodes.LEASE_ENDING,
                "Waited in the dispatcher until its lease could end during the provider call: given back unsent",
                ErrorCategory.TEMPORARY), 0, now, null);
    }

    /**
     * The result of a message whose decision threw (host code: a fallback rule, a consent policy, an
     * error catalogue), built without calling any host code: what the provider accepted is recorded
     * as sent; anything else is retried, or dead-lettered without fallback when its attempts are used up.
     */
    AttemptResult failed(ClaimedMessage c, ProviderChain.Outcome outcome, Throwable e, Instant startedAt) {
        OutboundMessage m = c.message();
        String why = SafeText.describe(e);
        log.error("Deciding the result of message {} of org {} threw: {}", m.id(), m.orgId(), why);
        if (outcome != null && outcome.result() instanceof SendResult.Accepted a) {
            attempted(m, outcome, Outcome.SENT, null, null);
            return AttemptResult.sent(c, outcome.provider(), startedAt, outcome.duration(), a.providerMessageId(), 200);
        }
        String provider = outcome == null ? null : outcome.provider();
        Duration took = outcome == null ? Duration.ZERO : outcome.duration();
        int http = outcome != null && outcome.result() instanceof SendResult.Rejected r ? r.error().httpStatus() : 0;
        ErrorInfo error = new ErrorInfo(OutboxErrorCodes.DISPATCH_FAILED, "Deciding the result threw: " + why,
                ErrorCategory.TEMPORARY);
        boolean last = m.attemptCount() >= m.maxAttempts();
        if (outcome != null) {
            String code = outcome.result() instanceof SendResult.Rejected r ? r.error().code() : null;
            attempted(m, outcome, last ? Outcome.DEAD_LETTER : Outcome.RETRY, code, error.category());
        }
        if (last) {
            deadLettered(m, provider, error, false);
            return AttemptResult.deadLetter(c, provider, startedAt, took, error, http, false, null);
        }
        Instant next = clock.instant().plus(decider.retryPolicy().backoffCeiling(m.attemptCount()));
        return AttemptResult.retry(c, provider, startedAt, took, error, http, next);
    }

    AttemptResult decide(ClaimedMessage c, ProviderChain.Outcome outcome, Instant startedAt) {
        OutboundMessage m = c.message();
        Instant now = clock.instant();
        if (outcome.result() instanceof SendResult.Accepted a) {
            attempted(m, outcome, Outcome.SENT, null, null);
            log.debug("Message {} of org {} to {} accepted by {}", m.id(), m.orgId(), m.to(), outcome.provider());
            return AttemptResult.sent(c, outcome.provider(), startedAt, outcome.duration(), a.providerMessageId(), 200);
        }
        SendResult.Rejected rejected = (SendResult.Rejected) outcome.result();
        if (outcome.provider() == null) {
            // every provider's circuit is open: wait for a probe without spending the attempt
            RetryDecision d = decider.retryPolicy().deferUntil(now.plus(chains.get(m.channel()).openWait()),
                    m.deferralCount());
            ErrorInfo error = new ErrorInfo(rejected.error().code(), rejected.error().describe(),
                    ErrorCategory.PROVIDER_UNAVAILABLE);
            attempted(m, outcome, d instanceof RetryDecision.Defer ? Outcome.DEFERRED : Outcome.DEAD_LETTER,
                    error.code(), error.category());
            return d instanceof RetryDecision.Defer defer ? defer(c, error, defer.nextAttemptAt(), startedAt)
                    : deadLetter(c, error, null, 0, Duration.ZERO, startedAt);
        }
        FailureDecider.Decision d = decider.decide(m, rejected.error(), outcome.catalogue(), now);
        int http = rejected.error().httpStatus();
        Outcome kind = switch (d.kind()) {
            case RETRY -> Outcome.RETRY;
            case DEFER -> Outcome.DEFERRED;
            case DEAD_LETTER -> Outcome.DEAD_LETTER;
        };
        attempted(m, outcome, kind, rejected.error().code(),
                d.classification() != null ? d.classification().category() : d.error().category());
        return switch (d.kind()) {
            case RETRY -> AttemptResult.retry(c, outcome.provider(), startedAt, outcome.duration(), d.error(), http,
                    d.nextAttemptAt());
            case DEFER -> {
                deferred(m, d.error().code(), now, d.nextAttemptAt());
                yield AttemptResult.deferred(c, outcome.provider(), startedAt, outcome.duration(), d.error(), http,
                        d.nextAttemptAt(), d.throttleOrgUntil());
            }
            case DEAD_LETTER -> {
                log.warn("Message {} of org {} to {} dead-lettered: {} {}", m.id(), m.orgId(), m.to().masked(),
                        d.error().code(), d.error().category());
                deadLettered(m, outcome.provider(), d.error(), d.fallback() != null);
                yield new AttemptResult(m, c.leaseOwner(), Outcome.DEAD_LETTER,
                        outcome.provider(), startedAt, outcome.duration(), null, d.error(), http, null, true,
                        d.throttleOrgUntil(), d.revokeConsent(), d.fallback(), d.revokedPurpose());
            }
        };
    }

    /**
     * A message Meta's lifecycle holds back: a disabled template's is dead-lettered; a paused
     * template's falls back at once under a rule for template dead letters, as Meta's own "paused"
     * error does, or waits for the pause to end without spending an attempt, as held marketing does.
     */
    AttemptResult held(ClaimedMessage c, HeldSends.Hold hold, Instant now) {
        if (hold.until() == null || hold.error().category() == ErrorCategory.TEMPLATE
                && decider.fallsBackOn(c.message(), ErrorCategory.TEMPLATE)) {
            return blocked(c, hold.error(), now);
        }
        return defer(c, hold.error(), hold.until(), now);
    }

    AttemptResult blocked(ClaimedMessage c, ErrorInfo error, Instant now) {
        FailureDecider.Decision d = deadLetterDecision(c, error, now);
        OutboundMessage m = c.message();
        listener.onAttempt(new OutboxListener.Attempted(m.channel(), null, Outcome.BLOCKED, error.code(), error.category(),
                Duration.ZERO, Duration.between(m.nextAttemptAt(), now)));
        deadLettered(m, null, error, d.fallback() != null);
        log.info("Message {} of org {} to {} not sent: {}", c.message().id(), c.message().orgId(),
                c.message().to().masked(), error.code());
        return AttemptResult.blocked(c, now, error, d.fallback());
    }

    AttemptResult deadLetter(ClaimedMessage c, ErrorInfo error, String provider, int http, Duration took,
            Instant now) {
        FailureDecider.Decision d = deadLetterDecision(c, error, now);
        deadLettered(c.message(), provider, error, d.fallback() != null);
        return new AttemptResult(c.message(), c.leaseOwner(), Outcome.DEAD_LETTER,
                provider, now, took, null, error, http, null, true, d.throttleOrgUntil(), false, d.fallback());
    }

    /** A dead letter decided before any call stays one when the host's fallback rule throws: without fallback. */
    private FailureDecider.Decision deadLetterDecision(ClaimedMessage c, ErrorInfo error, Instant now) {
        try {
            return decider.deadLetter(c.message(), error, false, now);
        } catch (RuntimeException e) {
            log.error("The fallback rules threw for message {} of org {}: dead-lettered without fallback: {}",
                    c.message().id(), c.message().orgId(), SafeText.describe(e));
            return new FailureDecider.Decision(FailureDecider.Kind.DEAD_LETTER, null, error, null, null, false, null);
        }
    }

    /** When {@code m} stops being sendable, or null. */
    Instant giveUpAt(OutboundMessage m) {
        return decider.giveUpAt(m);
    }

    /** A message past its give-up time: dead-lettered {@code EXPIRED} without a call, its SMS if still in time. */
    AttemptResult expired(ClaimedMessage c, Instant giveUpAt, String why, Instant now) {
        return blocked(c, FailureDecider.expired(c.message(), giveUpAt, why), now);
    }

    AttemptResult defer(ClaimedMessage c, ErrorInfo error, Instant until, Instant now) {
        Instant giveUpAt = decider.giveUpAt(c.message());
        if (giveUpAt != null && !until.isBefore(giveUpAt)) {
            return expired(c, giveUpAt, "its wait until " + until + " (" + error.code() + ") would end too late", now);
        }
        RetryDecision d = decider.retryPolicy().deferUntil(until, c.message().deferralCount());
        if (d instanceof RetryDecision.DeadLetter dl) {
            return deadLetter(c, new ErrorInfo(OutboxErrorCodes.DEFERRAL_LIMIT, dl.reason() + " (last: " + error.code()
                    + ")", ErrorCategory.RATE_LIMITED), null, 0, Duration.ZERO, now);
        }
        deferred(c.message(), error.code(), now, until);
        return AttemptResult.deferred(c, null, now, Duration.ZERO, error, 0, until, null);
    }

    /** A provider call's attempt (or every circuit open), told to the listeners once its result is decided. */
    private void attempted(OutboundMessage m, ProviderChain.Outcome outcome, Outcome kind, String errorCode,
            ErrorCategory category) {
        listener.onAttempt(new OutboxListener.Attempted(m.channel(), outcome.provider(), kind, errorCode, category,
                outcome.duration(), Duration.between(m.nextAttemptAt(), clock.instant())));
    }

    private void deferred(OutboundMessage m, String errorCode, Instant now, Instant until) {
        listener.onDeferral(new OutboxListener.Deferred(m.channel(), errorCode, Duration.between(now, until)));
    }

    private void deadLettered(OutboundMessage m, String provider, ErrorInfo error, boolean fallback) {
        listener.onDeadLetter(new OutboxListener.DeadLettered(m.channel(), provider, error.code(), error.category(),
                fallback));
    }
}

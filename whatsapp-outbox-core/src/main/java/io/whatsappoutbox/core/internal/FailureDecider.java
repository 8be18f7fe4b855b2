package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorClassification;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.RetryDecision;
import io.whatsappoutbox.core.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One decision for every failure, whether the provider refused a send or a failed receipt came
 * later: classify, ask the retry policy, and for a dead letter find the fallback, the consent to
 * revoke and the org to halt. Internal.
 */
public final class FailureDecider {
    private final RetryPolicy retryPolicy;
    private final FallbackRules fallbackRules;
    private final Duration haltOrgFor;

    public FailureDecider(RetryPolicy retryPolicy, FallbackRules fallbackRules, Duration haltOrgFor) {
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.fallbackRules = Objects.requireNonNull(fallbackRules, "fallbackRules");
        this.haltOrgFor = Objects.requireNonNull(haltOrgFor, "haltOrgFor");
    }

    /** What to do. */
    public enum Kind {
        RETRY,
        DEFER,
        DEAD_LETTER
    }

    /**
     * @param throttleOrgUntil pause the org's WhatsApp sending until then, or null
     * @param fallback the SMS to create, for a dead letter, or null
     * @param revokedPurpose with {@code revokeConsent}, the one purpose revoked, or null for every purpose
     */
    public record Decision(Kind kind, ErrorClassification classification, ErrorInfo error, Instant nextAttemptAt,
            Instant throttleOrgUntil, boolean revokeConsent, OutboundMessageRequest fallback,
            ConsentPurpose revokedPurpose) {
        public Decision(Kind kind, ErrorClassification classification, ErrorInfo error, Instant nextAttemptAt,
                Instant throttleOrgUntil, boolean revokeConsent, OutboundMessageRequest fallback) {
            this(kind, classification, error, nextAttemptAt, throttleOrgUntil, revokeConsent, fallback, null);
        }
    }

    public Decision decide(OutboundMessage m, ProviderError e, ErrorCatalogue catalogue, Instant now) {
        ErrorClassification c = catalogue.classify(e);
        ErrorInfo error = new ErrorInfo(e.code(), e.describe(), c.category());
        RetryDecision d = retryPolicy.decide(c, e, m.attemptCount(), m.maxAttempts(), m.deferralCount(), now);
        Instant giveUpAt = fallbackRules.giveUpAt(m);
        if (d instanceof RetryDecision.Retry r) {
            if (giveUpAt != null && !r.nextAttemptAt().isBefore(giveUpAt)) {
                return deadLetter(m, expired(m, giveUpAt, "its retry at " + r.nextAttemptAt() + " (after " + error.code()
                        + ") would come too late"), false, now);
            }
            return new Decision(Kind.RETRY, c, error, r.nextAttemptAt(), null, false, null);
        }
        if (d instanceof RetryDecision.Defer defer && giveUpAt != null && !defer.nextAttemptAt().isBefore(giveUpAt)) {
            return deadLetter(m, expired(m, giveUpAt, "its wait until " + defer.nextAttemptAt() + " (after "
                    + error.code() + ") would end too late"), false, now);
        }
        if (d instanceof RetryDecision.Defer defer) {
            if (c.defers() && fallbackRules.onDeadLetter(m, c.category()).isPresent()) {
                // a paused template waits hours: a rule with a fallback for it sends that now
                return deadLetter(m, new ErrorInfo(error.code(), error.message() + " [falling back instead of waiting "
                        + c.minimumDelay() + "]", error.category()), false, now);
            }
            return new Decision(Kind.DEFER, c, error, defer.nextAttemptAt(), defer.throttleOrgUntil(), false, null);
        }
        String reason = ((RetryDecision.DeadLetter) d).reason();
        Decision dead = deadLetter(m, new ErrorInfo(error.code(), error.message() + " [" + reason + "]",
                error.category()), c.revokesConsent(), now);
        return new Decision(dead.kind(), dead.classification(), dead.error(), null, dead.throttleOrgUntil(), dead.revokeConsent(),
                dead.fallback(), c.revokedPurpose());
    }

    /**
     * A dead letter for an error decided elsewhere (a send rule): only the fallback is looked up. An
     * expiry past the message's own {@code sendBy} has none: its SMS would be as late.
     */
    public Decision deadLetter(OutboundMessage m, ErrorInfo error, boolean revokeConsent, Instant now) {
        boolean halts = m.channel() == Channel.WHATSAPP && (error.category() == ErrorCategory.AUTH_CONFIG
                || error.category() == ErrorCategory.ACCOUNT_RESTRICTED);
        boolean tooLate = m.sendBy() != null && !now.isBefore(m.sendBy());
        return new Decision(Kind.DEAD_LETTER, null, error, null, halts ? now.plus(haltOrgFor) : null, revokeConsent,
                tooLate ? null : fallbackRules.onDeadLetter(m, error.category()).orElse(null));
    }

    /** When {@code m} stops being sendable (its sendBy, earlier under a rule's orNotSentBefore), or null. */
    public Instant giveUpAt(OutboundMessage m) {
        return fallbackRules.giveUpAt(m);
    }

    /** The dead letter's error of a message given up at {@code at}, for {@code why}. */
    public static ErrorInfo expired(OutboundMessage m, Instant at, String why) {
        String deadline = at.equals(m.sendBy()) ? "its sendBy " + m.sendBy()
                : "its fallback's margin before sendBy " + m.sendBy() + " (" + at + ")";
        return new ErrorInfo(OutboxErrorCodes.EXPIRED, "Not sent by " + deadline + ": " + why, ErrorCategory.EXPIRED);
    }

    /** Whether a fallback rule takes {@code m} when it ends in the dead letter with {@code category}. */
    public boolean fallsBackOn(OutboundMessage m, ErrorCategory category) {
        return fallbackRules.onDeadLetter(m, category).isPresent();
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }
}

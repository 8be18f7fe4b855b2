package io.whatsappoutbox.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What a code means for the outbox.
 *
 * @param code the code classified
 * @param category what kind of failure it is
 * @param description a short human description
 * @param minimumDelay the earliest a retry may come (Meta's 131049: 24 hours), or zero
 * @param scope whom a rate limit slows down
 * @param revokesConsent the recipient opted out at the provider (Twilio 21610): revoke consent
 * @param revokedPurpose the one purpose whose consent is revoked (Meta's 131050, marketing stopped:
 *     MARKETING), or null for every purpose of the channel
 * @param defers the message waits {@code minimumDelay} without spending an attempt, as a rate
 *     limit does, though the error is no rate limit (Meta's 132015, a paused template); a
 *     fallback rule that takes the message on its category sends the fallback at once instead
 */
public record ErrorClassification(String code, ErrorCategory category, String description,
        Duration minimumDelay, RateLimitScope scope, boolean revokesConsent, boolean defers,
        ConsentPurpose revokedPurpose) {

    /** Whom a rate limit applies to. */
    public enum RateLimitScope {
        /** Not a rate limit. */
        NONE,
        /** This message only: the pair rate to one recipient (Meta 131056, Twilio 14107); backs off 4^n s. */
        RECIPIENT,
        /** Every message of the org on this channel: the org is throttled, other orgs are not. */
        ORG
    }

    public ErrorClassification {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(category, "category");
        description = description == null ? "" : description;
        minimumDelay = minimumDelay == null ? Duration.ZERO : minimumDelay;
        scope = scope == null ? RateLimitScope.NONE : scope;
    }

    public ErrorClassification(String code, ErrorCategory category, String description, Duration minimumDelay,
            RateLimitScope scope, boolean revokesConsent) {
        this(code, category, description, minimumDelay, scope, revokesConsent, false, null);
    }

    public ErrorClassification(String code, ErrorCategory category, String description, Duration minimumDelay,
            RateLimitScope scope, boolean revokesConsent, boolean defers) {
        this(code, category, description, minimumDelay, scope, revokesConsent, defers, null);
    }

    public static ErrorClassification of(String code, ErrorCategory category, String description) {
        RateLimitScope scope = category == ErrorCategory.RATE_LIMITED ? RateLimitScope.ORG : RateLimitScope.NONE;
        return new ErrorClassification(code, category, description, Duration.ZERO, scope, false, false, null);
    }

    public ErrorClassification withMinimumDelay(Duration delay) {
        return new ErrorClassification(code, category, description, delay, scope, revokesConsent, defers,
                revokedPurpose);
    }

    public ErrorClassification withScope(RateLimitScope newScope) {
        return new ErrorClassification(code, category, description, minimumDelay, newScope, revokesConsent, defers,
                revokedPurpose);
    }

    /** Revokes the consent of every purpose on the message's channel. */
    public ErrorClassification revokingConsent() {
        return new ErrorClassification(code, category, description, minimumDelay, scope, true, defers, null);
    }

    /** Revokes the consent of {@code purpose} only, on the message's channel. */
    public ErrorClassification revokingConsent(ConsentPurpose purpose) {
        return new ErrorClassification(code, category, description, minimumDelay, scope, true, defers,
                Objects.requireNonNull(purpose, "purpose"));
    }

    /**
     * The message waits {@code pause} without spending an attempt, then is sent again (a paused
     * template, whose pause Meta lifts after hours).
     */
    public ErrorClassification deferringFor(Duration pause) {
        return new ErrorClassification(code, category, description, pause, scope, revokesConsent, true,
                revokedPurpose);
    }

    public boolean retryable() {
        return category.retryable();
    }
}

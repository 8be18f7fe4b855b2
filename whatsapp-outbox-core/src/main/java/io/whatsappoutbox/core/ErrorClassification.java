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
 * @param defers the message waits {@code minimumDelay} without spending an attempt, as a rate
 *     limit does, though the error is no rate limit (Meta's 132015, a paused template); a
 *     fallback rule that takes the message on its category sends the fallback at once instead
 */
public record ErrorClassification(String code, ErrorCategory category, String description,
        Duration minimumDelay, RateLimitScope scope, boolean revokesConsent, boolean defers) {

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
        this(code, category, description, minimumDelay, scope, revokesConsent, false);
    }

    public static ErrorClassification of(String code, ErrorCategory category, String description) {
        RateLimitScope scope = category == ErrorCategory.RATE_LIMITED ? RateLimitScope.ORG : RateLimitScope.NONE;
        return new ErrorClassification(code, category, description, Duration.ZERO, scope, false, false);
    }

    public ErrorClassification withMinimumDelay(Duration delay) {
        return new ErrorClassification(code, category, description, delay, scope, revokesConsent, defers);
    }

    public ErrorClassification withScope(RateLimitScope newScope) {
        return new ErrorClassification(code, category, description, minimumDelay, newScope, revokesConsent, defers);
    }

    public ErrorClassification revokingConsent() {
        return new ErrorClassification(code, category, description, minimumDelay, scope, true, defers);
    }

    /**
     * The message waits {@code pause} without spending an attempt, then is sent again (a paused
     * template, whose pause Meta lifts after hours).
     */
    public ErrorClassification deferringFor(Duration pause) {
        return new ErrorClassification(code, category, description, pause, scope, revokesConsent, true);
    }

    public boolean retryable() {
        return category.retryable();
    }
}

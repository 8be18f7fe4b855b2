package io.whatsappoutbox.core;

/**
 * What kind of failure an error is, and so what the outbox does with it. Categories follow the
 * runbook's table, completed from Meta's and Twilio's published codes.
 */
public enum ErrorCategory {
    TEMPORARY(true, true, "Retried automatically with backoff; if it persists, retry after 24 hours or investigate"),
    /**
     * The provider itself is down or unreachable (service unavailable, network failure, timeout):
     * the only failures that count against a provider's circuit breaker, so that a few messages
     * failing again and again cannot switch a healthy provider off.
     */
    PROVIDER_UNAVAILABLE(true, true, "Provider outage: sends fail over or wait; after it, bulk retry the dead letter"),
    RATE_LIMITED(true, false, "Rescheduled to the throttle or reset time without spending an attempt; raise the quota or wait for the reset"),
    INVALID_RECIPIENT(false, true, "Update the recipient's phone number"),
    UNDELIVERABLE(false, true, "Recipient not reachable on WhatsApp: use the SMS fallback"),
    OPTED_OUT(false, true, "Respect the opt-out: do not retry"),
    SESSION_EXPIRED(false, true, "Use an approved template, or wait for the customer to write"),
    TEMPLATE(false, true, "Fix or approve the template in WhatsApp Manager, or fix its parameters"),
    BAD_REQUEST(false, true, "Fix the message the host builds; retrying the same payload fails again"),
    AUTH_CONFIG(false, true, "Fix the access token or provider configuration, then bulk retry"),
    ACCOUNT_RESTRICTED(false, true, "Sending is restricted for the business account: contact Meta support"),
    EXPIRED(false, false, "Its sendBy passed before it could be sent: never sent; enqueue a new message if it still matters"),
    UNKNOWN(true, true, "Manual investigation required");

    private final boolean retryable;
    private final boolean spendsAttempt;
    private final String recommendedAction;

    ErrorCategory(boolean retryable, boolean spendsAttempt, String recommendedAction) {
        this.retryable = retryable;
        this.spendsAttempt = spendsAttempt;
        this.recommendedAction = recommendedAction;
    }

    /** Whether another attempt may succeed without anyone changing anything. */
    public boolean retryable() {
        return retryable;
    }

    /** Whether a failure of this category uses up one of the message's attempts. */
    public boolean spendsAttempt() {
        return spendsAttempt;
    }

    public String recommendedAction() {
        return recommendedAction;
    }
}

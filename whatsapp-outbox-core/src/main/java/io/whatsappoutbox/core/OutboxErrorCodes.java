package io.whatsappoutbox.core;

/**
 * Error codes the outbox itself records, beside the providers' numeric codes. They are upper case
 * words, so they never collide with a provider's digits.
 */
public final class OutboxErrorCodes {
    private OutboxErrorCodes() {}

    /** No granted consent for the channel and the message's purpose (the message names it): never sent. */
    public static final String NO_CONSENT = "NO_CONSENT";
    /** Free-form WhatsApp outside the 24-hour customer service window: never sent. */
    public static final String SESSION_WINDOW_CLOSED = "SESSION_WINDOW_CLOSED";
    /** The org's daily quota is used up: rescheduled to its reset. */
    public static final String QUOTA_EXHAUSTED = "QUOTA_EXHAUSTED";
    /** The org is throttled after a provider rate limit: rescheduled to the throttle's end. */
    public static final String ORG_THROTTLED = "ORG_THROTTLED";
    /** Rescheduled without an attempt too many times. */
    public static final String DEFERRAL_LIMIT = "DEFERRAL_LIMIT";
    /** No connection, connection reset or refused. */
    public static final String NETWORK_ERROR = "NETWORK_ERROR";
    /** The provider did not answer within the call timeout: it may have sent the message. */
    public static final String TIMEOUT = "TIMEOUT";
    /** The provider answered with a body the outbox could not read. */
    public static final String UNREADABLE_RESPONSE = "UNREADABLE_RESPONSE";
    /** The provider code threw instead of returning a result. */
    public static final String PROVIDER_EXCEPTION = "PROVIDER_EXCEPTION";
    /** No provider for the channel, or no provider configuration for the org. */
    public static final String PROVIDER_NOT_CONFIGURED = "PROVIDER_NOT_CONFIGURED";
    /** Every provider of the channel is unavailable (circuit open). */
    public static final String PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE";

    /**
     * The message's leases expired with its attempts used up: a dispatcher died or hung while
     * sending it, so the provider may or may not have it. Retryable by an operator.
     */
    public static final String LEASE_EXPIRED = "LEASE_EXPIRED";
    /**
     * The stored row cannot be read by this version (an unknown channel, content type or status, a
     * recipient that is not E.164, a payload that is not its type's JSON: written by a newer
     * version or by hand). Dead-lettered when claimed, never sent; the error message names the
     * column and the rule.
     */
    public static final String UNREADABLE_ROW = "UNREADABLE_ROW";
    /**
     * The provider's result for the message could not be written, even alone, while the rest of
     * its batch could: dead-lettered instead, so that the writer is not blocked and the message is
     * not sent again after its lease. The provider may have the message.
     */
    public static final String UNWRITABLE_RESULT = "UNWRITABLE_RESULT";
    /**
     * The message waited in the dispatcher until too little of its lease was left for the provider
     * call: given back to the queue unsent, without spending an attempt, instead of being sent
     * under a lease that could end during the call.
     */
    public static final String LEASE_ENDING = "LEASE_ENDING";
    /**
     * Host code the dispatcher runs for a message (a fallback rule, a consent policy, an error
     * catalogue) or the dispatcher itself threw: the message is retried, and dead-lettered without
     * fallback once its attempts are used up.
     */
    public static final String DISPATCH_FAILED = "DISPATCH_FAILED";
    /**
     * Meta paused the message's template (its quality dropped): the message waits, without spending
     * an attempt, until the pause ends or Meta approves the template again, or falls back at once
     * under a fallback rule for {@code TEMPLATE} dead letters.
     */
    public static final String TEMPLATE_PAUSED = "TEMPLATE_PAUSED";
    /** Meta disabled, rejected or deleted the message's template: it can never be sent. */
    public static final String TEMPLATE_DISABLED = "TEMPLATE_DISABLED";
    /**
     * The org's WhatsApp account is restricted, or one of its numbers flagged or of low quality:
     * marketing messages wait; utility, authentication and session messages go on.
     */
    public static final String MARKETING_HALTED = "MARKETING_HALTED";
    /**
     * Outside the org's sending hours in the recipient's time zone: the message waits for the next
     * opening without spending an attempt (marketing only, unless the hours hold transactional too).
     */
    public static final String OUTSIDE_SENDING_HOURS = "OUTSIDE_SENDING_HOURS";
    /**
     * The message's {@code sendBy} passed (or, under a fallback rule's {@code orNotSentBefore}, came
     * too close) before it could be sent: it never is. Category {@link ErrorCategory#EXPIRED}.
     */
    public static final String EXPIRED = "EXPIRED";
    /**
     * A template to a new recipient past the business account's messaging limit (the unique
     * recipients of business-initiated conversations Meta allows per rolling 24 hours): the message
     * waits, without spending an attempt, until the oldest recipient of the window expires, or falls
     * back at once under a fallback rule for {@code RATE_LIMITED} dead letters. Recipients already
     * counted in the window go on.
     */
    public static final String MESSAGING_LIMIT = "MESSAGING_LIMIT";
    /** An operator cancelled the message. */
    public static final String CANCELLED = "CANCELLED";

    /** The code for an HTTP error without a readable provider code: {@code HTTP_503}. */
    public static String http(int status) {
        return "HTTP_" + status;
    }
}

package io.whatsappoutbox.test;

import java.time.Duration;
import java.util.Objects;

/**
 * An error the Meta stub answers a send with, or puts in a {@code failed} receipt: Meta's code, the
 * HTTP status it comes with, its message and details, as Meta's Graph API writes them
 * ({@code {"error":{"message","type","code","error_subcode","error_data":{"details"},"fbtrace_id"}}}).
 * The constants are the codes a host meets most; {@link #of} makes any other.
 *
 * @param retryAfter the {@code Retry-After} header sent with the error, or null
 */
public record MetaError(int code, int httpStatus, String message, String details, Duration retryAfter) {
    /** Outside the 24-hour customer service window: only a template may be sent. */
    public static final MetaError REENGAGEMENT = of(131047, 400, "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.");
    /** Not on WhatsApp, an old app, or the business is blocked. */
    public static final MetaError UNDELIVERABLE = of(131026, 400, "Message undeliverable",
            "Message Undeliverable.");
    /** The Cloud API's throughput limit for the phone number. */
    public static final MetaError RATE_LIMIT = of(130429, 400, "Rate limit hit",
            "Cloud API message throughput has been reached.");
    /** Too many messages to one recipient in a short time. */
    public static final MetaError PAIR_RATE_LIMIT = of(131056, 400, "(Business Account, Consumer Account) pair rate limit hit",
            "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.");
    /** The access token expired or was revoked. */
    public static final MetaError TOKEN_EXPIRED = new MetaError(190, 401,
            "Error validating access token: Session has expired", "", null);
    /** The template does not exist in this language, or is not approved. */
    public static final MetaError TEMPLATE_MISSING = of(132001, 404, "Template name does not exist in the translation",
            "template name does not exist in the translation");
    /** Meta's own transient failure. */
    public static final MetaError TEMPORARY = of(131000, 500, "Something went wrong",
            "Something went wrong.");

    public MetaError {
        Objects.requireNonNull(message, "message");
        details = details == null ? "" : details;
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("httpStatus: must be an error status (400-599), was " + httpStatus);
        }
        if (retryAfter != null && (retryAfter.isNegative() || retryAfter.getNano() != 0)) {
            throw new IllegalArgumentException("retryAfter: must be whole seconds, zero or more, was " + retryAfter);
        }
    }

    /** Meta's error {@code code} with its HTTP status, message and details, no {@code Retry-After}. */
    public static MetaError of(int code, int httpStatus, String message, String details) {
        return new MetaError(code, httpStatus, message, details, null);
    }

    /** The same error, sent with a {@code Retry-After} header. */
    public MetaError withRetryAfter(Duration retryAfter) {
        return new MetaError(code, httpStatus, message, details, Objects.requireNonNull(retryAfter, "retryAfter"));
    }

    /** The message as Meta prefixes it in a send's answer: {@code (#131047) Re-engagement message}. */
    String graphMessage() {
        return "(#" + code + ") " + message;
    }
}

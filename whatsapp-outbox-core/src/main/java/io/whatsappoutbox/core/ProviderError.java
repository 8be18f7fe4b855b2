package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.SafeText;
import java.time.Duration;
import java.util.Objects;

/**
 * An error as a provider reported it, before classification.
 *
 * @param code the provider's code ({@code 131047}, {@code 21610}) or one of {@link OutboxErrorCodes}
 * @param httpStatus the HTTP status, or 0 when there was no HTTP answer
 * @param message the provider's message, without secrets
 * @param details Meta's {@code error_data.details} or similar, may be null
 * @param traceId Meta's {@code fbtrace_id} or similar, may be null
 * @param retryAfter the provider's {@code Retry-After}, may be null
 */
public record ProviderError(String code, int httpStatus, String message, String details, String traceId,
        Duration retryAfter) {

    /** Every text is cleaned here, where a provider's answer enters the outbox: see {@link SafeText}. */
    public ProviderError {
        Objects.requireNonNull(code, "code");
        code = SafeText.id(code);
        message = message == null ? "" : SafeText.clean(message);
        details = SafeText.clean(details);
        traceId = SafeText.id(traceId);
    }

    public static ProviderError of(String code, int httpStatus, String message) {
        return new ProviderError(code, httpStatus, message, null, null, null);
    }

    /** A failure with no answer from the provider (connection refused, timeout, reset). */
    public static ProviderError network(String code, String message) {
        return new ProviderError(code, 0, message, null, null, null);
    }

    /** Message and details together, as stored in {@code error_message}. */
    public String describe() {
        if (details == null || details.isBlank() || message.contains(details)) {
            return message;
        }
        return message.isBlank() ? details : message + ": " + details;
    }
}

package io.whatsappoutbox.sms.internal;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.RetryAfter;
import io.whatsappoutbox.core.internal.SafeText;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.spi.SendResult;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Turns Twilio's answer to {@code POST .../Messages.json} into a {@link SendResult}. Lenient about
 * what it does not need (unknown fields, numbers as strings), strict about what it does: an
 * accepted message must carry its {@code sid}.
 */
public final class TwilioResponses {
    private final ObjectMapper json;
    private final String authToken;
    private final Clock clock;

    public TwilioResponses(ObjectMapper json, Secret authToken, Clock clock) {
        this.json = Objects.requireNonNull(json, "json");
        this.authToken = Objects.requireNonNull(authToken, "authToken").reveal();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param status the HTTP status
     * @param body the body, or null when it was too large to read
     * @param retryAfter the {@code Retry-After} header, or null
     * @param requestId the {@code Twilio-Request-Id} header, or null: kept as the trace id
     */
    public SendResult interpret(int status, byte[] body, String retryAfter, String requestId) {
        JsonNode root = object(body);
        if (status >= 200 && status < 300) {
            return success(status, root, requestId);
        }
        Duration delay = RetryAfter.parse(retryAfter, clock.instant());
        if (root == null) {
            return reject(OutboxErrorCodes.http(status), status,
                    "HTTP " + status + " from Twilio without a readable error body", null, requestId, delay);
        }
        String code = text(root, "code");
        String message = text(root, "message");
        String moreInfo = text(root, "more_info");
        if (code == null) {
            return reject(OutboxErrorCodes.http(status), status,
                    message != null ? message : "HTTP " + status + " from Twilio without an error code", moreInfo,
                    requestId, delay);
        }
        return reject(code, status, message != null ? message : "Twilio error " + code, moreInfo, requestId, delay);
    }

    private SendResult success(int status, JsonNode root, String requestId) {
        if (root == null) {
            return reject(OutboxErrorCodes.UNREADABLE_RESPONSE, status,
                    "HTTP " + status + " from Twilio with a body that is not a JSON object", null, requestId, null);
        }
        // A message created but already failed carries its error in the resource itself.
        String errorCode = text(root, "error_code");
        if (errorCode != null) {
            String message = text(root, "error_message");
            return reject(errorCode, status, message != null ? message : "Twilio error " + errorCode, null,
                    requestId, null);
        }
        String sid = text(root, "sid");
        if (sid == null) {
            return reject(OutboxErrorCodes.UNREADABLE_RESPONSE, status,
                    "HTTP " + status + " from Twilio without a message sid", null, requestId, null);
        }
        return new SendResult.Accepted(sid, text(root, "status"));
    }

    private SendResult reject(String code, int status, String message, String details, String traceId,
            Duration retryAfter) {
        return new SendResult.Rejected(new ProviderError(code, status, SafeText.redact(message, authToken),
                SafeText.redact(details, authToken), traceId, retryAfter));
    }

    private JsonNode object(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException | RuntimeException e) {
            return null; // HTML error pages, truncated JSON: the caller reports them by HTTP status
        }
    }

    /** A scalar field as trimmed text (21211 and "21211" alike), or null when absent, null or blank. */
    static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        String value = node.isIntegralNumber() ? node.bigIntegerValue().toString() : node.asText();
        value = value.trim();
        return value.isEmpty() ? null : value;
    }
}

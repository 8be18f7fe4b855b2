package io.whatsappoutbox.meta.internal;

import io.whatsappoutbox.core.internal.SafeText;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.spi.SendResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Turns Meta's answer to a send into a {@link SendResult}. The decision is made on Meta's error
 * code, never on the HTTP status alone (most errors, rate limits included, come with HTTP 400):
 * the error catalogue classifies the code. Internal.
 */
public final class MetaSendResponses {
    private final ObjectMapper mapper;

    public MetaSendResponses(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * @param retryAfter the parsed {@code Retry-After} header, or null
     * @param token the access token, masked likewise
     */
    public SendResult interpret(int status, byte[] body, Duration retryAfter, String token) {
        JsonNode root = parse(body);
        if (status >= 200 && status < 300) {
            return success(status, root, retryAfter, token);
        }
        ProviderError error = metaError(status, root, retryAfter, token);
        return SendResult.rejected(error != null ? error : httpError(status, body, retryAfter, token));
    }

    /**
     * The error of a failed call other than a send (a media upload, a read receipt): Meta's own
     * code when the body has one, {@code HTTP_<status>} otherwise.
     */
    public ProviderError error(int status, byte[] body, String token) {
        ProviderError error = metaError(status, parse(body), null, token);
        return error != null ? error : httpError(status, body, null, token);
    }

    /** The answer's JSON object, or null when it is none. */
    public JsonNode json(byte[] body) {
        return parse(body);
    }

    private SendResult success(int status, JsonNode root, Duration retryAfter, String token) {
        JsonNode first = root == null ? null : root.path("messages").path(0);
        String id = MetaJson.text(first, "id");
        if (id != null && !id.isBlank()) {
            return new SendResult.Accepted(id, MetaJson.text(first, "message_status"));
        }
        ProviderError error = metaError(status, root, retryAfter, token);
        if (error != null) {
            return SendResult.rejected(error);
        }
        return SendResult.rejected(new ProviderError(OutboxErrorCodes.UNREADABLE_RESPONSE, status,
                "HTTP " + status + " from Meta without a message id", null, null, retryAfter));
    }

    /** Meta's {@code {"error":{...}}}, or null when the body has none with a code. */
    private ProviderError metaError(int status, JsonNode root, Duration retryAfter, String token) {
        JsonNode error = root == null ? null : root.get("error");
        if (error == null || !error.isObject()) {
            return null;
        }
        String code = MetaJson.scalar(error, "code");
        String message = SafeText.forError(MetaJson.text(error, "message"), token);
        String details = SafeText.forError(MetaJson.text(error.path("error_data"), "details"), token);
        String trace = SafeText.clean(MetaJson.text(error, "fbtrace_id"));
        if (code == null || code.isBlank()) {
            if (message == null) {
                return null;
            }
            code = OutboxErrorCodes.http(status);
        }
        String type = MetaJson.text(error, "type");
        if (message == null || message.isBlank()) {
            message = type == null ? "Meta error " + code : SafeText.clean(type) + " " + code;
        }
        return new ProviderError(SafeText.clean(code), status, message, details, trace, retryAfter);
    }

    /** An HTTP failure without a readable Meta error: the code is {@code HTTP_<status>}. */
    private static ProviderError httpError(int status, byte[] body, Duration retryAfter,
            String token) {
        String message = "HTTP " + status + " from Meta";
        if (body != null && body.length > 0) {
            String snippet = SafeText.forError(new String(body, 0, Math.min(body.length, 4 * SafeText.MAX),
                    StandardCharsets.UTF_8), token);
            if (snippet != null && !snippet.isEmpty()) {
                message = message + ": " + snippet;
            }
        }
        return new ProviderError(OutboxErrorCodes.http(status), status, message, null, null, retryAfter);
    }

    private JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode root = mapper.readTree(body);
            return root != null && root.isObject() ? root : null;
        } catch (IOException e) {
            // garbage, HTML or truncated JSON: the caller falls back to the HTTP status
            return null;
        }
    }
}

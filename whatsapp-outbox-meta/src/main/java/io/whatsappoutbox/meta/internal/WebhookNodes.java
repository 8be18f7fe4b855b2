package io.whatsappoutbox.meta.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.DateTimeException;
import java.time.Instant;

/** Reads the parts of a webhook body it requires, each failure naming the path of the part. */
final class WebhookNodes {
    /** An epoch-seconds timestamp has at most 12 digits until the year 33658. */
    private static final int TIMESTAMP_DIGITS_MAX = 12;

    private WebhookNodes() {}

    static Instant timestamp(JsonNode node, String path) throws WebhookPayloadException {
        JsonNode t = node.get("timestamp");
        if (t == null || t.isNull()) {
            throw new WebhookPayloadException(path + " is missing");
        }
        String digits = t.isTextual() || t.isIntegralNumber() ? t.asText().strip() : "";
        if (digits.isEmpty() || digits.length() > TIMESTAMP_DIGITS_MAX
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new WebhookPayloadException(path + " is not epoch seconds");
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(digits));
        } catch (NumberFormatException | DateTimeException e) {
            throw new WebhookPayloadException(path + " is out of range");
        }
    }

    static String requiredText(JsonNode node, String field, String path) throws WebhookPayloadException {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            throw new WebhookPayloadException(path + " is missing");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new WebhookPayloadException(path + " is not a non-empty string");
        }
        return v.asText();
    }

    static JsonNode object(JsonNode node, String path) throws WebhookPayloadException {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new WebhookPayloadException(path + " is missing");
        }
        if (!node.isObject()) {
            throw new WebhookPayloadException(path + " is not an object");
        }
        return node;
    }

    /** The array under {@code field}; an absent optional one reads as empty. */
    static JsonNode array(JsonNode parent, String field, String path, boolean required)
            throws WebhookPayloadException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new WebhookPayloadException(path + " is missing");
            }
            return JsonNodeFactory.instance.arrayNode();
        }
        if (!node.isArray()) {
            throw new WebhookPayloadException(path + " is not an array");
        }
        return node;
    }

    static String first(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}

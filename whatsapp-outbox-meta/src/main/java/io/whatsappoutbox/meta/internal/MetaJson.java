package io.whatsappoutbox.meta.internal;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson configuration the module uses. Internal. */
public final class MetaJson {
    private MetaJson() {}

    /**
     * Lenient to fields Meta adds over time, strict about the document itself: trailing garbage and
     * duplicate keys are errors. Jackson's default stream constraints bound nesting and sizes.
     */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    /** The text of a string node, or null when the node is missing, null or not a string. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** A string or a number as text (Meta's codes are numbers, some clients send strings). */
    public static String scalar(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !(v.isTextual() || v.isIntegralNumber())) {
            return null;
        }
        return v.asText();
    }
}

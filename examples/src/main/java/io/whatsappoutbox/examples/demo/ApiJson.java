package io.whatsappoutbox.examples.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Response;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The serve mode's JSON: bodies read leniently, answers and errors in one shape ({@code {"errors": [{field, message}]}}). */
final class ApiJson {
    private static final String JSON_TYPE = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ApiJson() {}

    /** The body as JSON, or null when it is empty or not JSON (the caller names the rule). */
    static JsonNode parse(byte[] body) {
        try {
            return body == null || body.length == 0 ? null : MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    static ObjectNode emptyObject() {
        return MAPPER.createObjectNode();
    }

    /** A string field, null when absent; a field of another type is a violation. */
    static String text(JsonNode o, String field, Violations v) {
        return text(o, field, v, field);
    }

    /** {@link #text(JsonNode, String, Violations)}, its violation named {@code name}. */
    static String text(JsonNode o, String field, Violations v, String name) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            v.add(name, "is not a string", "a JSON string");
            return null;
        }
        return n.asText();
    }

    static List<InvalidInputException.Violation> violations(Violations v) {
        return v.list();
    }

    static Response invalid(InvalidInputException e) {
        List<Map<String, String>> errors = e.violations().stream()
                .map(x -> Map.of("field", x.field(), "message", x.problem() + " (rule: " + x.rule() + ")")).toList();
        return json(400, Map.of("errors", errors));
    }

    static Response error(int status, String field, String message) {
        return json(status, Map.of("errors", List.of(Map.of("field", field, "message", message))));
    }

    static Response ok(Object body) {
        return json(200, body);
    }

    static Response json(int status, Object body) {
        try {
            return Response.of(status, JSON_TYPE, MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.whatsappoutbox.examples.demo;

import static io.whatsappoutbox.examples.demo.ApiJson.error;
import static io.whatsappoutbox.examples.demo.ApiJson.invalid;
import static io.whatsappoutbox.examples.demo.ApiJson.json;
import static io.whatsappoutbox.examples.demo.ApiJson.ok;
import static io.whatsappoutbox.examples.demo.ApiJson.parse;
import static io.whatsappoutbox.examples.demo.ApiJson.text;
import static io.whatsappoutbox.examples.demo.ApiJson.violations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Request;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@code /simulator/...}: the Meta and SMS simulators' switches and what they received (a token for every org only). */
final class SimulatorRoutes {
    private final DemoStack stack;

    SimulatorRoutes(DemoStack stack) {
        this.stack = stack;
    }

    Response handle(Request r) {
        if (r.path().equals("/simulator/meta/requests") && r.method().equals("GET")) {
            return simulatorRequests(r);
        }
        if (!r.method().equals("POST")) {
            return error(405, "method", "simulator switches take POST");
        }
        if (stack.metaSimulator == null) {
            return error(404, "path", "the simulators are off: the demo talks to real providers");
        }
        JsonNode body = parse(r.body());
        if (body == null || !body.isObject()) {
            return error(400, "body", "is not a JSON object");
        }
        switch (r.path()) {
            case "/simulator/meta/outage", "/simulator/sms/outage" -> {
                JsonNode enabled = body.get("enabled");
                if (enabled == null || !enabled.isBoolean()) {
                    return error(400, "enabled", "is missing or not a boolean");
                }
                JsonNode code = body.get("errorCode");
                if (code != null && !code.isNull() && !code.canConvertToInt()) {
                    return error(400, "errorCode", "is not an integer");
                }
                Integer errorCode = code == null || code.isNull() ? null : code.asInt();
                if (r.path().contains("meta")) {
                    stack.metaSimulator.outage(enabled.asBoolean(), errorCode);
                } else {
                    stack.smsSimulator.outage(enabled.asBoolean(), errorCode);
                }
                return ok(Map.of("enabled", enabled.asBoolean(), "errorCode", errorCode == null ? "HTTP 503" : errorCode));
            }
            case "/simulator/meta/webhook-secret" -> {
                JsonNode secret = body.get("secret");
                if (secret != null && !secret.isNull() && (!secret.isTextual() || secret.asText().isBlank())) {
                    return error(400, "secret", "is not a non-blank string (null: sign with each org's own secret)");
                }
                stack.metaSimulator.signWith(secret == null || secret.isNull() ? null : Secret.of(secret.asText()));
                return ok(Map.of("signing", secret == null || secret.isNull() ? "each org's own secret" : "the given secret"));
            }
            case "/simulator/meta/lifecycle" -> {
                return simulatorLifecycle(body);
            }
            default -> {
                return error(404, "path", "no such simulator switch");
            }
        }
    }

    /** The lifecycle fields the simulator posts as Meta would (its webhook subscriptions besides {@code messages}). */
    static final Set<String> LIFECYCLE_FIELDS = Set.of("message_template_status_update",
            "template_category_update", "message_template_quality_update", "phone_number_quality_update",
            "account_update", "user_preferences");

    /**
     * {@code POST /simulator/meta/lifecycle} {@code {"orgId", "field", "value"}}: the simulator signs
     * and posts a lifecycle webhook about the org's WhatsApp business account, with Meta's
     * {@code value} as given ({@code user_preferences} gets the org's number as its metadata).
     */
    private Response simulatorLifecycle(JsonNode body) {
        String org = body.path("orgId").asText(null);
        int i = org == null ? -1 : DemoStack.ORGS.indexOf(org);
        if (i < 0) {
            return error(400, "orgId", "is not a demo org (" + String.join(", ", DemoStack.ORGS) + ")");
        }
        String field = body.path("field").asText(null);
        if (field == null || !LIFECYCLE_FIELDS.contains(field)) {
            return error(400, "field", "is not a lifecycle field (" + String.join(", ", new TreeSet<>(LIFECYCLE_FIELDS)) + ")");
        }
        if (!(body.get("value") instanceof ObjectNode value)) {
            return error(400, "value", "is missing or not a JSON object (Meta's changes[].value)");
        }
        stack.metaSimulator.lifecycle(DemoStack.PHONE_NUMBER_IDS.get(i), DemoStack.BUSINESS_ACCOUNT_IDS.get(i), field,
                value.deepCopy());
        return json(202, Map.of("posted", field, "orgId", org));
    }

    /** {@code GET /simulator/meta/requests?to=<e164>}: the bodies the simulator received for one recipient. */
    private Response simulatorRequests(Request r) {
        if (stack.metaSimulator == null) {
            return error(404, "path", "the simulators are off: the demo talks to real providers");
        }
        List<String> to = r.query().get("to");
        if (to == null || to.size() != 1) {
            return error(400, "to", "is missing (rule: one E.164 recipient, ?to=%2B33612345678)");
        }
        // a '+' left unencoded in a query string arrives as a space
        String e164 = to.get(0).startsWith(" ") ? "+" + to.get(0).substring(1) : to.get(0);
        PhoneNumber phone;
        try {
            phone = PhoneNumber.of(e164);
        } catch (InvalidInputException e) {
            return error(400, "to", "'" + PhoneNumber.mask(e164) + "' is not E.164 (rule: +, then 7 to 15 digits)");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("to", phone.masked());
        out.put("requests", stack.metaSimulator.requests(phone.value()));
        return ok(out);
    }
}

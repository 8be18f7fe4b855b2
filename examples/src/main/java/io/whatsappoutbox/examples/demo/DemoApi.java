package io.whatsappoutbox.examples.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.jdbc.EnqueueResult;
import io.whatsappoutbox.jdbc.IdempotencyConflictException;
import io.whatsappoutbox.core.IllegalTransitionException;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Request;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Response;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The serve mode's HTTP contract: the runbook's endpoints, a bearer token, and {@code X-Org-Id}
 * scoping every API call to one org (another org's message is a 404). A token acts for the orgs
 * it was given (403 for another); only a token for every org sees the all-orgs dashboard and
 * flips the simulator switches. Health and the Prometheus scrape are open, as the runbook's probes
 * call them; webhooks are authenticated by their signatures.
 */
final class DemoApi implements DemoHttpServer.Routes {
    static final String ADMIN_ORG = "system-admin";
    private static final Pattern MESSAGE = Pattern.compile("/api/v1/outbound/messages/([0-9]{1,18})");
    private static final Pattern RETRY = Pattern.compile("/api/v1/outbound/messages/([0-9]{1,18})/retry");
    private static final Pattern CONSENT = Pattern.compile("/api/v1/consents/([^/]+)");
    private static final String JSON_TYPE = "application/json";
    private final ObjectMapper json = new ObjectMapper();
    private final DemoStack stack;

    DemoApi(DemoStack stack) {
        this.stack = stack;
    }

    @Override
    public Response handle(Request r) {
        String path = r.path();
        if (path.equals("/actuator/health") && r.method().equals("GET")) {
            return health();
        }
        if (path.equals("/actuator/prometheus") && r.method().equals("GET")) {
            return Response.of(200, "text/plain; version=0.0.4; charset=utf-8", stack.registry.scrape());
        }
        if (path.equals("/webhooks/whatsapp")) {
            return webhook(r, stack.metaWebhook::handle);
        }
        if (path.equals("/webhooks/sms/status")) {
            return webhook(r, stack.smsCallbacks::handle);
        }
        if (path.equals("/webhooks/sms/inbound")) {
            return webhook(r, stack.smsInbound::handle);
        }
        if (r.tooLarge()) {
            return error(413, "body", "is larger than " + DemoHttpServer.MAX_BODY + " bytes");
        }
        DemoConfig.ApiToken token = authenticate(r);
        if (token == null) {
            return error(401, "Authorization", "missing or wrong bearer token");
        }
        if (path.startsWith("/simulator/")) {
            return token.allOrgs() ? simulator(r)
                    : error(403, "Authorization", "the simulator switches need a token for every org (*)");
        }
        if (path.equals("/api/v1/templates") || path.equals("/api/v1/templates/sync")) {
            return templates(r, token);
        }
        String org = r.header("X-Org-Id");
        Violations v = new Violations();
        v.orgId("X-Org-Id", org);
        if (!v.isEmpty()) {
            return invalid(new InvalidInputException("request", violations(v)));
        }
        if (ADMIN_ORG.equals(org) ? !token.allOrgs() : !token.mayActFor(org)) {
            return error(403, "X-Org-Id", "this token may not act for org " + org
                    + (ADMIN_ORG.equals(org) ? " (every org's figures need a token for every org, *)" : ""));
        }
        try {
            return api(r, org);
        } catch (InvalidInputException e) {
            return invalid(e);
        }
    }

    private Response api(Request r, String org) {
        String path = r.path();
        if (path.equals("/api/v1/outbound/messages") && r.method().equals("POST")) {
            return enqueue(r, org);
        }
        Matcher m = MESSAGE.matcher(path);
        if (m.matches() && r.method().equals("GET")) {
            return view(org, Long.parseLong(m.group(1)), 200);
        }
        m = RETRY.matcher(path);
        if (m.matches() && r.method().equals("POST")) {
            long id = Long.parseLong(m.group(1));
            try {
                stack.operations.retry(org, id, Operator.of("api", "retry requested through the HTTP API"), false);
            } catch (NoSuchElementException e) {
                return error(404, "id", "no message " + id + " for this org");
            } catch (IllegalTransitionException e) {
                return error(409, "status", "only a FAILED message can be retried (it is " + e.from() + ")");
            }
            return view(org, id, 200);
        }
        if (path.equals("/api/v1/dashboard/outbound/health") && r.method().equals("GET")) {
            Scope scope = ADMIN_ORG.equals(org) ? Scope.allOrgs() : Scope.org(org);
            return ok(MessageViews.dashboard(stack.operations.channelHealth(scope, window(r))));
        }
        m = CONSENT.matcher(path);
        if (m.matches() && r.method().equals("PUT")) {
            return consent(r, org, m.group(1));
        }
        if (m.matches() && r.method().equals("GET")) {
            return consents(org, m.group(1));
        }
        return error(404, "path", "no such endpoint: " + r.method() + " " + SafeText.forError(path));
    }

    /**
     * {@code GET /api/v1/templates?orgId=} (the org's registry) and {@code POST /api/v1/templates/sync}
     * ({@code {"orgId": ...}}, or every demo org when absent: a token for every org only).
     */
    private Response templates(Request r, DemoConfig.ApiToken token) {
        boolean sync = r.path().endsWith("/sync");
        if (sync ? !r.method().equals("POST") : !r.method().equals("GET")) {
            return error(405, "method", r.method() + " is not allowed here");
        }
        String org;
        if (sync) {
            JsonNode body = r.body() == null || r.body().length == 0 ? json.createObjectNode() : parse(r.body());
            if (body == null || !body.isObject()) {
                return error(400, "body", "is not a JSON object");
            }
            org = body.hasNonNull("orgId") ? body.get("orgId").asText() : null;
        } else {
            List<String> q = r.query().get("orgId");
            org = q == null || q.isEmpty() ? r.header("X-Org-Id") : q.get(0);
        }
        List<String> orgs;
        if (org == null && sync) {
            if (!token.allOrgs()) {
                return error(403, "orgId", "syncing every org needs a token for every org (*)");
            }
            orgs = DemoStack.ORGS;
        } else {
            Violations v = new Violations();
            v.orgId("orgId", org);
            if (!v.isEmpty()) {
                return invalid(new InvalidInputException("request", violations(v)));
            }
            if (!token.mayActFor(org)) {
                return error(403, "orgId", "this token may not act for org " + org);
            }
            orgs = List.of(org);
        }
        if (!sync) {
            return ok(TemplateViews.list(org, stack.outbox.templates().lastSync(org), stack.outbox.templates().list(org)));
        }
        List<Object> reports = new java.util.ArrayList<>();
        for (String o : orgs) {
            try {
                reports.add(TemplateViews.sync(stack.outbox.templates().sync(o, stack.metaProvider.templateSource())));
            } catch (IllegalStateException e) {
                return error(409, "orgId", SafeText.forError(e.getMessage()));
            } catch (RuntimeException e) {
                return error(502, "meta", SafeText.forError(e.getMessage()));
            }
        }
        return ok(Map.of("synced", reports));
    }

    private Response enqueue(Request r, String org) {
        JsonNode body = parse(r.body());
        if (body == null || !body.isObject()) {
            return error(400, "body", "is not a JSON object");
        }
        Violations v = new Violations();
        Channel channel = null;
        String channelName = text(body, "channel", v);
        if (channelName != null) {
            try {
                channel = Channel.valueOf(channelName);
            } catch (IllegalArgumentException e) {
                v.add("channel", "'" + Violations.printable(channelName) + "' is not a channel", "WHATSAPP or SMS");
            }
        } else if (!body.has("channel")) {
            // a body copied from Meta's reference names its product instead
            if ("whatsapp".equals(body.path("messaging_product").asText(null))) {
                channel = Channel.WHATSAPP;
            } else {
                v.add("channel", "is missing", "required: WHATSAPP or SMS (or Meta's \"messaging_product\":\"whatsapp\")");
            }
        }
        JsonNode product = body.get("messaging_product");
        if (product != null && !"whatsapp".equals(product.asText()) || product != null && channel == Channel.SMS) {
            v.add("messaging_product", "is set on a message that is not a WhatsApp message", "\"whatsapp\", on WHATSAPP");
        }
        JsonNode recipientType = body.get("recipient_type");
        if (recipientType != null && !"individual".equals(recipientType.asText())) {
            v.add("recipient_type", "is '" + Violations.printable(recipientType.asText()) + "'",
                    "individual: the outbox sends to one person");
        }
        MessageContent content = ContentRequests.parse(body, v);
        String to = text(body, "to", v);
        String key = text(body, "idempotencyKey", v);
        String dossier = text(body, "dossierId", v);
        if (!v.isEmpty()) {
            return invalid(new InvalidInputException("outbound message", violations(v)));
        }
        OutboundMessageRequest request = OutboundMessageRequest.builder().orgId(org).channel(channel).to(to)
                .content(content).idempotencyKey(key).dossierId(dossier).createdBy("api").build();
        EnqueueResult result;
        try {
            result = stack.outbox.enqueue(request);
        } catch (IdempotencyConflictException e) {
            return error(409, "idempotencyKey", "is already used by message " + e.existingMessageId()
                    + " with other content (rule: one key, one message content per org)");
        }
        return view(org, result.message().id(), result.created() ? 201 : 200);
    }

    private Response consent(Request r, String org, String e164) {
        JsonNode body = parse(r.body());
        if (body == null || !body.isObject()) {
            return error(400, "body", "is not a JSON object");
        }
        Violations v = new Violations();
        PhoneNumber phone = null;
        try {
            phone = PhoneNumber.of(e164);
        } catch (InvalidInputException e) {
            v.add("phoneNumber", "'" + PhoneNumber.mask(e164) + "' is not a valid E.164 number", "E.164");
        }
        Channel channel = null;
        String c = text(body, "channel", v);
        try {
            channel = c == null ? null : Channel.valueOf(c);
        } catch (IllegalArgumentException e) {
            v.add("channel", "is not a channel", "WHATSAPP or SMS");
        }
        if (channel == null && c == null) {
            v.add("channel", "is missing", "WHATSAPP or SMS");
        }
        JsonNode granted = body.get("granted");
        if (granted == null || !granted.isBoolean()) {
            v.add("granted", "is missing or not a boolean", "true or false");
        }
        ConsentPurpose purpose = ConsentPurpose.TRANSACTIONAL;
        JsonNode p = body.get("purpose");
        if (p != null && !p.isNull()) {
            try {
                purpose = p.isTextual() ? ConsentPurpose.valueOf(p.asText()) : null;
            } catch (IllegalArgumentException e) {
                purpose = null;
            }
            if (purpose == null) {
                v.add("purpose", "is not a consent purpose", "MARKETING or TRANSACTIONAL");
            }
        }
        if (!v.isEmpty()) {
            return invalid(new InvalidInputException("consent", violations(v)));
        }
        if (granted.asBoolean()) {
            stack.outbox.consents().grant(org, phone, channel, purpose, "api", "api");
        } else {
            stack.outbox.consents().revoke(org, phone, channel, purpose, "api", "api");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orgId", org);
        out.put("phoneNumber", phone.masked());
        out.put("channel", channel.name());
        out.put("purpose", purpose.name());
        out.put("status", stack.outbox.consents().status(org, phone, channel, purpose).name());
        return ok(out);
    }

    /** Every consent of a recipient: per channel, per purpose. */
    private Response consents(String org, String e164) {
        PhoneNumber phone;
        try {
            phone = PhoneNumber.of(e164);
        } catch (InvalidInputException e) {
            return error(400, "phoneNumber", "'" + PhoneNumber.mask(e164) + "' is not a valid E.164 number");
        }
        Map<String, Object> byChannel = new LinkedHashMap<>();
        for (Channel channel : Channel.values()) {
            Map<String, Object> byPurpose = new LinkedHashMap<>();
            for (ConsentPurpose purpose : ConsentPurpose.values()) {
                byPurpose.put(purpose.name(), stack.outbox.consents().status(org, phone, channel, purpose).name());
            }
            byChannel.put(channel.name(), byPurpose);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orgId", org);
        out.put("phoneNumber", phone.masked());
        out.put("consents", byChannel);
        return ok(out);
    }

    private Response simulator(Request r) {
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
    static final java.util.Set<String> LIFECYCLE_FIELDS = java.util.Set.of("message_template_status_update",
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
            return error(400, "field", "is not a lifecycle field (" + String.join(", ", new java.util.TreeSet<>(LIFECYCLE_FIELDS)) + ")");
        }
        if (!(body.get("value") instanceof com.fasterxml.jackson.databind.node.ObjectNode value)) {
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

    private Response webhook(Request r, java.util.function.Function<WebhookRequest, WebhookResponse> handler) {
        if (r.tooLarge()) {
            return error(413, "body", "is larger than " + DemoHttpServer.MAX_BODY + " bytes");
        }
        WebhookResponse w = handler.apply(new WebhookRequest(r.method(), r.url(), r.query(), r.headers(), r.body()));
        return Response.of(w.status(), w.contentType(), w.body());
    }

    private Response health() {
        Map<String, Object> components = new LinkedHashMap<>();
        boolean up;
        try (Connection c = stack.dataSource.getConnection()) {
            up = c.isValid(2);
        } catch (SQLException | RuntimeException e) {
            up = false;
        }
        components.put("db", Map.of("status", up ? "UP" : "DOWN"));
        components.put("dispatcher", Map.of("status", "UP", "instance", stack.dispatcher.instanceId()));
        if (up) {
            components.put("webhookSecrets", webhookSecrets());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", up ? "UP" : "DOWN");
        out.put("components", components);
        return json(up ? 200 : 503, out);
    }

    /**
     * Secrets that do not open cost only their orgs: the component says which, without taking the
     * whole host out of a load balancer (the overall status stays the database's).
     */
    private Map<String, Object> webhookSecrets() {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            var health = stack.outbox.providerConfigs().webhookSecretsHealth();
            out.put("status", health.healthy() ? "UP" : "DEGRADED");
            out.put("orgs", health.orgs());
            out.put("unreadable", health.unreadable().stream()
                    .map(u -> Map.of("orgId", u.orgId(), "column", u.column())).toList());
        } catch (RuntimeException e) {
            out.put("status", "DOWN");
        }
        return out;
    }

    private Response view(String org, long id, int status) {
        return stack.outbox.find(org, id)
                .map(m -> json(status, MessageViews.message(m, stack.outbox.attempts(org, id),
                        stack.outbox.findFallback(org, id).map(OutboundMessage::id).orElse(null))))
                .orElseGet(() -> error(404, "id", "no message " + id + " for this org"));
    }

    private static Duration window(Request r) {
        List<String> w = r.query().get("windowHours");
        if (w == null || w.isEmpty()) {
            return Duration.ofHours(24);
        }
        try {
            int hours = Integer.parseInt(w.get(0));
            if (hours >= 1 && hours <= 24 * 90) {
                return Duration.ofHours(hours);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException("dashboard", List.of(new InvalidInputException.Violation("windowHours",
                "is not a number of hours", "1 to 2160")));
    }

    private DemoConfig.ApiToken authenticate(Request r) {
        String auth = r.header("Authorization");
        return auth != null && auth.startsWith("Bearer ") ? stack.config.authenticate(auth.substring(7)) : null;
    }

    private JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? null : json.readTree(body);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static String text(JsonNode o, String field, Violations v) {
        return text(o, field, v, field);
    }

    private static String text(JsonNode o, String field, Violations v, String name) {
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

    private static List<InvalidInputException.Violation> violations(Violations v) {
        return v.list();
    }

    private Response invalid(InvalidInputException e) {
        List<Map<String, String>> errors = e.violations().stream()
                .map(x -> Map.of("field", x.field(), "message", x.problem() + " (rule: " + x.rule() + ")")).toList();
        return json(400, Map.of("errors", errors));
    }

    private Response error(int status, String field, String message) {
        return json(status, Map.of("errors", List.of(Map.of("field", field, "message", message))));
    }

    private Response ok(Object body) {
        return json(200, body);
    }

    private Response json(int status, Object body) {
        try {
            return Response.of(status, JSON_TYPE, json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

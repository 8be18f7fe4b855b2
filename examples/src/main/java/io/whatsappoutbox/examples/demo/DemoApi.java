package io.whatsappoutbox.examples.demo;

import static io.whatsappoutbox.examples.demo.ApiJson.error;
import static io.whatsappoutbox.examples.demo.ApiJson.invalid;
import static io.whatsappoutbox.examples.demo.ApiJson.json;
import static io.whatsappoutbox.examples.demo.ApiJson.ok;
import static io.whatsappoutbox.examples.demo.ApiJson.violations;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.BusinessKey;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.Priority;
import io.whatsappoutbox.core.IllegalTransitionException;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Request;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Response;
import io.whatsappoutbox.jdbc.CancelResult;
import io.whatsappoutbox.jdbc.EnqueueResult;
import io.whatsappoutbox.jdbc.IdempotencyConflictException;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.sql.Connection;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
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
    private final DemoStack stack;
    private final SimulatorRoutes simulator;
    private final ConsentRoutes consents;
    private final SendingHoursRoutes sendingHours;

    DemoApi(DemoStack stack) {
        this.stack = stack;
        this.simulator = new SimulatorRoutes(stack);
        this.consents = new ConsentRoutes(stack);
        this.sendingHours = new SendingHoursRoutes(stack);
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
            return token.allOrgs() ? simulator.handle(r)
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
        if (path.equals("/api/v1/outbound/messages/cancel") && r.method().equals("POST")) {
            return cancel(r, org);
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
        if (path.equals(SendingHoursRoutes.PATH)) {
            return sendingHours.handle(r, org);
        }
        m = CONSENT.matcher(path);
        if (m.matches() && r.method().equals("PUT")) {
            return consents.put(r, org, m.group(1));
        }
        if (m.matches() && r.method().equals("GET")) {
            return consents.get(org, m.group(1));
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
            JsonNode body = r.body() == null || r.body().length == 0 ? ApiJson.emptyObject() : ApiJson.parse(r.body());
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
        JsonNode body = ApiJson.parse(r.body());
        if (body == null || !body.isObject()) {
            return error(400, "body", "is not a JSON object");
        }
        Violations v = new Violations();
        Channel channel = null;
        String channelName = ApiJson.text(body, "channel", v);
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
        String to = ApiJson.text(body, "to", v);
        String key = ApiJson.text(body, "idempotencyKey", v);
        String dossier = ApiJson.text(body, "dossierId", v);
        ConsentPurpose purpose = ConsentPurpose.TRANSACTIONAL;
        String purposeName = ApiJson.text(body, "purpose", v);
        if (purposeName != null) {
            try {
                purpose = ConsentPurpose.valueOf(purposeName);
            } catch (IllegalArgumentException e) {
                v.add("purpose", "'" + Violations.printable(purposeName) + "' is not a consent purpose",
                        "TRANSACTIONAL (default) or MARKETING");
            }
        }
        ZoneId zone = null;
        String zoneName = ApiJson.text(body, "recipientTimeZone", v);
        if (zoneName != null) {
            try {
                zone = ZoneId.of(zoneName);
            } catch (DateTimeException e) {
                v.add("recipientTimeZone", "'" + Violations.printable(zoneName) + "' is not a time zone",
                        "an IANA zone id such as Europe/Paris (absent: from the number)");
            }
        }
        Instant sendBy = null;
        String sendByText = ApiJson.text(body, "sendBy", v);
        if (sendByText != null) {
            try {
                sendBy = Instant.parse(sendByText);
            } catch (DateTimeException e) {
                v.add("sendBy", "'" + Violations.printable(sendByText) + "' is not an instant",
                        "an ISO-8601 instant such as 2026-12-03T18:00:00Z (absent: no deadline)");
            }
        }
        Priority priority = Priority.NORMAL;
        String priorityName = ApiJson.text(body, "priority", v);
        if (priorityName != null) {
            try {
                priority = Priority.valueOf(priorityName);
            } catch (IllegalArgumentException e) {
                v.add("priority", "'" + Violations.printable(priorityName) + "' is not a priority", "HIGH, NORMAL (default) or LOW");
            }
        }
        String orderingKey = ApiJson.text(body, "orderingKey", v);
        BusinessKey supersedes = null;
        JsonNode sup = body.get("supersedes");
        if (sup != null && !sup.isNull()) {
            supersedes = sup.isObject() ? businessKey(sup, v, "supersedes") : null;
            if (!sup.isObject()) {
                v.add("supersedes", "is not an object", "{\"dossierId\":\"...\"} or {\"idempotencyKey\":\"...\"}");
            }
        }
        if (!v.isEmpty()) {
            return invalid(new InvalidInputException("outbound message", violations(v)));
        }
        OutboundMessageRequest request = OutboundMessageRequest.builder().orgId(org).channel(channel).to(to)
                .content(content).idempotencyKey(key).dossierId(dossier).purpose(purpose).recipientTimeZone(zone)
                .sendBy(sendBy).priority(priority).orderingKey(orderingKey).supersedes(supersedes).createdBy("api").build();
        EnqueueResult result;
        try {
            result = stack.outbox.enqueue(request);
        } catch (IdempotencyConflictException e) {
            return error(409, "idempotencyKey", "is already used by message " + e.existingMessageId()
                    + " with other content (rule: one key, one message content per org)");
        }
        if (result.superseded().isEmpty()) {
            return view(org, result.message().id(), result.created() ? 201 : 200);
        }
        OutboundMessage m = stack.outbox.find(org, result.message().id()).orElseThrow();
        Map<String, Object> out = new LinkedHashMap<>(MessageViews.message(m, stack.outbox.attempts(org, m.id()), null));
        out.put("superseded", result.superseded());
        return json(result.created() ? 201 : 200, out);
    }

    /**
     * {@code POST /api/v1/outbound/messages/cancel} with {@code {"dossierId":...}} or
     * {@code {"idempotencyKey":...}}: cancels the org's matching messages not yet sent, answers
     * their ids and those left because a dispatcher is sending them.
     */
    private Response cancel(Request r, String org) {
        JsonNode body = ApiJson.parse(r.body());
        if (body == null || !body.isObject()) {
            return error(400, "body", "is not a JSON object");
        }
        Violations v = new Violations();
        BusinessKey key = businessKey(body, v, "body");
        if (!v.isEmpty()) {
            return invalid(new InvalidInputException("cancel", violations(v)));
        }
        CancelResult result = stack.outbox.cancel(org, key, Operator.of("api", "cancelled through the HTTP API"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cancelled", result.cancelled());
        out.put("inFlight", result.inFlight());
        return ok(out);
    }

    /** Exactly one of {@code dossierId} and {@code idempotencyKey}, named {@code where} when neither is there. */
    private static BusinessKey businessKey(JsonNode o, Violations v, String where) {
        String dossier = ApiJson.text(o, "dossierId", v);
        String key = ApiJson.text(o, "idempotencyKey", v);
        if ((dossier == null) == (key == null)) {
            v.add(where, dossier == null ? "names no dossierId nor idempotencyKey" : "names both dossierId and idempotencyKey",
                    "exactly one of dossierId and idempotencyKey");
            return null;
        }
        try {
            return dossier != null ? BusinessKey.dossier(dossier) : BusinessKey.idempotencyKey(key);
        } catch (InvalidInputException e) {
            e.violations().forEach(x -> v.add(x.field(), x.problem(), x.rule()));
            return null;
        }
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
}

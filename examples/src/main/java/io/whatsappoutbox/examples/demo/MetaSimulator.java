package io.whatsappoutbox.examples.demo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Hmac;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A local Meta Cloud API (WireMock) that answers by the recipient's last two digits, so every
 * incident of the runbook can be replayed, and posts signed receipts back to the app, out of order:
 *
 * <pre>
 * 00-49 accepted, then receipts sent, delivered, read     70-79 130429 on the first attempt, then accepted
 * 50-59 error 131000 on every attempt                      80-89 error 131047 (outside the 24-hour window)
 * 60-69 accepted, then a failed receipt 131026             90-99 accepted, no receipt
 * </pre>
 *
 * An outage makes every send fail with a chosen code (or HTTP 503) until it is switched off. It keeps
 * the bodies it was sent, per recipient, so an operator or a test sees exactly what left the outbox.
 */
final class MetaSimulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer server;
    private final Callbacks callbacks;
    private final URI webhook;
    private final Secret appSecret;
    private final AtomicReference<Integer> outageCode = new AtomicReference<>();
    private final AtomicReference<Boolean> outage = new AtomicReference<>(false);
    private final AtomicReference<Secret> signingOverride = new AtomicReference<>();
    private final Map<String, Secret> secretsByPhoneNumberId = new ConcurrentHashMap<>();
    private final Set<String> throttledOnce = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sends = new AtomicInteger();
    private final AtomicInteger wamids = new AtomicInteger();
    /** The last bodies per recipient, oldest first; bounded so a long-running demo keeps its memory. */
    private final Map<String, Deque<JsonNode>> received = new ConcurrentHashMap<>();
    static final int KEPT_PER_RECIPIENT = 100;
    static final int RECIPIENTS_KEPT = 20_000;

    MetaSimulator(URI webhook, Secret appSecret, Callbacks callbacks) {
        this.webhook = webhook;
        this.appSecret = appSecret;
        this.callbacks = callbacks;
        this.server = new WireMockServer(wireMockConfig().dynamicPort().extensions(new Transformer())
                .containerThreads(16));
        server.start();
        server.stubFor(post(urlPathMatching("/v[0-9.]+/[0-9]+/messages")).willReturn(aResponse()
                .withTransformers(Transformer.NAME)));
        serveTemplates();
    }

    /** The cursor of the template list's second page. */
    static final String TEMPLATES_PAGE_2 = "cGFnZTI";

    /**
     * Every business account's template list, in two pages as Meta pages it: the demo story's
     * templates exactly as it sends them (a reminder and an urgent notification with one body
     * parameter, a newsletter, a listing alert with an image header, two body parameters and its
     * buttons).
     */
    private void serveTemplates() {
        String path = "/v[0-9.]+/[0-9]+/message_templates";
        String page1 = """
                {"data":[
                  {"id":"720000000000001","name":"appointment_reminder","language":"fr","status":"APPROVED",
                   "category":"UTILITY","parameter_format":"POSITIONAL",
                   "components":[{"type":"BODY","text":"Rappel : votre rendez-vous {{1}}.","example":{"body_text":[["lundi 10h"]]}}],
                   "quality_score":{"score":"GREEN","date":1764633600}},
                  {"id":"720000000000002","name":"urgent_notification","language":"fr","status":"APPROVED",
                   "category":"UTILITY","parameter_format":"POSITIONAL",
                   "components":[{"type":"BODY","text":"Information urgente : {{1}}.","example":{"body_text":[["coupure"]]}}],
                   "quality_score":{"score":"GREEN","date":1764633600}}],
                 "paging":{"cursors":{"before":"cGFnZTE","after":"%s"},"next":"%s/v23.0/0/message_templates?limit=100&after=%s"}}""".formatted(
                TEMPLATES_PAGE_2, server.baseUrl(), TEMPLATES_PAGE_2);
        String page2 = """
                {"data":[
                  {"id":"720000000000003","name":"new_listing_alert","language":"fr","status":"APPROVED",
                   "category":"MARKETING","parameter_format":"POSITIONAL",
                   "components":[
                     {"type":"HEADER","format":"IMAGE","example":{"header_handle":["4::aW1h"]}},
                     {"type":"BODY","text":"Nouveau bien {{1}}, visite au {{2}}.","example":{"body_text":[["lundi 10h","12 rue du Port"]]}},
                     {"type":"BUTTONS","buttons":[
                       {"type":"URL","text":"Voir le bien","url":"https://agence.example.com/visites/{{1}}","example":["V-42"]},
                       {"type":"QUICK_REPLY","text":"Changer de date"}]}],
                   "quality_score":{"score":"GREEN","date":1764633600}},
                  {"id":"720000000000004","name":"newsletter","language":"fr","status":"APPROVED",
                   "category":"MARKETING","parameter_format":"POSITIONAL",
                   "components":[{"type":"BODY","text":"Les nouvelles de {{1}}.","example":{"body_text":[["novembre"]]}}]}],
                 "paging":{"cursors":{"before":"cGFnZTI","after":"cGFnZTI"}}}""";
        server.stubFor(get(urlPathMatching(path)).withQueryParam("after", absent()).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBody(page1)));
        server.stubFor(get(urlPathMatching(path)).withQueryParam("after", equalTo(TEMPLATES_PAGE_2)).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBody(page2)));
    }

    String baseUrl() {
        return server.baseUrl();
    }

    /** Every send fails with {@code errorCode}, or with HTTP 503 and no body when it is null. */
    void outage(boolean enabled, Integer errorCode) {
        outageCode.set(errorCode);
        outage.set(enabled);
    }

    /** Signs every callback with this secret (null: back to each number's own), as when the two sides drift. */
    void signWith(Secret secret) {
        signingOverride.set(secret);
    }

    /** After a rotation the provider side signs this number's callbacks with its new secret. */
    void secretFor(String phoneNumberId, Secret secret) {
        secretsByPhoneNumberId.put(phoneNumberId, secret);
    }

    int sends() {
        return sends.get();
    }

    /** The JSON bodies received for {@code to} (E.164), oldest first. */
    List<JsonNode> requests(String to) {
        Deque<JsonNode> bodies = received.get(to);
        if (bodies == null) {
            return List.of();
        }
        synchronized (bodies) {
            return List.copyOf(bodies);
        }
    }

    private void record(String to, JsonNode body) {
        if (received.size() >= RECIPIENTS_KEPT && !received.containsKey(to)) {
            return;
        }
        Deque<JsonNode> bodies = received.computeIfAbsent(to, k -> new ArrayDeque<>());
        synchronized (bodies) {
            bodies.addLast(body);
            if (bodies.size() > KEPT_PER_RECIPIENT) {
                bodies.removeFirst();
            }
        }
    }

    private final class Transformer implements ResponseDefinitionTransformerV2 {
        static final String NAME = "meta-simulator";

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            sends.incrementAndGet();
            String[] path = event.getRequest().getUrl().split("\\?")[0].split("/");
            String phoneNumberId = path[2];
            JsonNode body;
            try {
                body = JSON.readTree(event.getRequest().getBodyAsString());
            } catch (Exception e) {
                return error(400, 100, "Invalid parameter", "body is not JSON");
            }
            record(body.path("to").asText(""), body);
            if (!event.getRequest().containsHeader("Authorization")
                    || !event.getRequest().getHeader("Authorization").startsWith("Bearer ")) {
                return error(401, 190, "Error validating access token", "missing token");
            }
            if (outage.get()) {
                Integer code = outageCode.get();
                return code == null ? ResponseDefinitionBuilder.responseDefinition().withStatus(503).build()
                        : error(code == 131016 || code == 2 ? 503 : 400, code, "Service unavailable (simulated outage)",
                                "simulated outage");
            }
            String to = body.path("to").asText("");
            int lastTwo = to.length() >= 2 ? Integer.parseInt(to.substring(to.length() - 2)) : 0;
            if (lastTwo >= 50 && lastTwo <= 59) {
                return error(500, 131000, "Something went wrong", "simulated failure");
            }
            if (lastTwo >= 70 && lastTwo <= 79 && throttledOnce.add(to)) {
                return error(400, 130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached.");
            }
            if (lastTwo >= 80 && lastTwo <= 89) {
                return error(400, 131047, "Re-engagement message",
                        "Message failed to send because more than 24 hours have passed since the customer last replied");
            }
            String wamid = "wamid.SIM" + Long.toString(System.nanoTime(), 36) + "_" + wamids.incrementAndGet();
            if (lastTwo < 50 || (lastTwo >= 70 && lastTwo <= 79)) {
                receipts(phoneNumberId, to, wamid, List.of("sent", "delivered", "read"));
            } else if (lastTwo >= 60 && lastTwo <= 69) {
                receipts(phoneNumberId, to, wamid, List.of("sent", "failed"));
            }
            return ResponseDefinitionBuilder.responseDefinition().withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"" + to + "\",\"wa_id\":\""
                            + to.replace("+", "") + "\"}],\"messages\":[{\"id\":\"" + wamid + "\"}]}")
                    .build();
        }
    }

    private static ResponseDefinition error(int http, int code, String message, String details) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(http)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"" + message + "\",\"type\":\"OAuthException\",\"code\":" + code
                        + ",\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":\"" + details
                        + "\"},\"fbtrace_id\":\"ASIM" + code + "\"}}")
                .build();
    }

    /** Schedules each receipt in its own call, shuffled: the app sees them out of order. */
    private void receipts(String phoneNumberId, String to, String wamid, List<String> statuses) {
        List<String> order = new ArrayList<>(statuses);
        Collections.shuffle(order);
        long now = Instant.now().getEpochSecond();
        for (int i = 0; i < order.size(); i++) {
            String status = order.get(i);
            long ts = now + statuses.indexOf(status);
            String entry = "failed".equals(status)
                    ? "{\"id\":\"" + wamid + "\",\"status\":\"failed\",\"timestamp\":\"" + ts + "\",\"recipient_id\":\""
                            + to.replace("+", "") + "\",\"errors\":[{\"code\":131026,\"title\":\"Message undeliverable\","
                            + "\"message\":\"Message undeliverable\",\"error_data\":{\"details\":\"Message Undeliverable.\"}}]}"
                    : "{\"id\":\"" + wamid + "\",\"status\":\"" + status + "\",\"timestamp\":\"" + ts
                            + "\",\"recipient_id\":\"" + to.replace("+", "") + "\"}";
            String payload = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"WABA-" + phoneNumberId
                    + "\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
                    + "\"display_phone_number\":\"15550000000\",\"phone_number_id\":\"" + phoneNumberId + "\"},"
                    + "\"statuses\":[" + entry + "]},\"field\":\"messages\"}]}]}";
            postSigned(phoneNumberId, payload, Duration.ofMillis(20 + ThreadLocalRandom.current().nextInt(400)));
        }
    }

    /** An inbound customer message, as Meta posts it; returns its wamid, for a reply in context. */
    String inbound(String phoneNumberId, String from, String text) {
        String wamid = "wamid.IN" + wamids.incrementAndGet();
        String payload = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"WABA-" + phoneNumberId
                + "\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
                + "\"display_phone_number\":\"15550000000\",\"phone_number_id\":\"" + phoneNumberId + "\"},"
                + "\"contacts\":[{\"profile\":{\"name\":\"Client\"},\"wa_id\":\"" + from.replace("+", "") + "\"}],"
                + "\"messages\":[{\"from\":\"" + from.replace("+", "") + "\",\"id\":\"" + wamid
                + "\",\"timestamp\":\"" + Instant.now().getEpochSecond() + "\",\"type\":\"text\",\"text\":{\"body\":"
                + JSON.valueToTree(text) + "}}]},\"field\":\"messages\"}]}]}";
        postSigned(phoneNumberId, payload, Duration.ZERO);
        return wamid;
    }

    /**
     * A lifecycle webhook (template status, category or quality, number quality, account update, a
     * customer's marketing preference) about the business account of {@code phoneNumberId}, signed
     * as Meta signs it. A {@code user_preferences} value without {@code metadata} gets the number's.
     */
    void lifecycle(String phoneNumberId, String businessAccountId, String field, com.fasterxml.jackson.databind.node.ObjectNode value) {
        if ("user_preferences".equals(field) && !value.has("metadata")) {
            value.putObject("metadata").put("display_phone_number", "15550000000").put("phone_number_id", phoneNumberId);
            value.put("messaging_product", "whatsapp");
        }
        String payload = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"" + businessAccountId
                + "\",\"time\":" + Instant.now().getEpochSecond() + ",\"changes\":[{\"field\":" + JSON.valueToTree(field)
                + ",\"value\":" + value + "}]}]}";
        postSigned(phoneNumberId, payload, Duration.ZERO);
    }

    private void postSigned(String phoneNumberId, String payload, Duration delay) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        Secret secret = signingOverride.get() != null ? signingOverride.get()
                : secretsByPhoneNumberId.getOrDefault(phoneNumberId, appSecret);
        callbacks.post(webhook, delay, "application/json", body,
                Map.of("X-Hub-Signature-256", "sha256=" + Hmac.sha256Hex(secret.bytes(), body)));
    }

    @Override
    public void close() {
        server.stop();
    }
}

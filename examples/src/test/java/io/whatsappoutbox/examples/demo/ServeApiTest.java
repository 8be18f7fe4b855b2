package io.whatsappoutbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.testing.Eventually;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The serve mode's HTTP contract: status codes, auth, org isolation, bad input. */
class ServeApiTest {
    static final String TOKEN = "test-admin-token";
    static DemoStack stack;
    static String base;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        DemoConfig config = DemoConfig.fromEnvironment(Map.of("OUTBOX_DEMO_MODE", "serve",
                "OUTBOX_DEMO_ADMIN_TOKEN", TOKEN)).withPort(0);
        stack = DemoStack.start(config, new PrintStream(new ByteArrayOutputStream())::println);
        base = "http://localhost:" + stack.http.port();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    record Answer(int status, JsonNode body, String raw) {}

    static Answer call(String method, String path, String org, String token, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        if (org != null) {
            r.header("X-Org-Id", org);
        }
        r.header("Content-Type", "application/json");
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode node = null;
        try {
            node = json.readTree(response.body());
        } catch (Exception e) {
            // not JSON (the Prometheus scrape, a challenge)
        }
        return new Answer(response.statusCode(), node, response.body());
    }

    static Answer api(String method, String path, String org, String body) throws Exception {
        return call(method, path, org, TOKEN, body);
    }

    static void consent(String org, String e164, String channel) throws Exception {
        assertThat(api("PUT", "/api/v1/consents/" + e164, org, "{\"channel\":\"" + channel + "\",\"granted\":true}").status())
                .isEqualTo(200);
    }

    @Test
    void healthAndPrometheusAnswerWithoutAToken() throws Exception {
        Answer health = call("GET", "/actuator/health", null, null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().path("status").asText()).isEqualTo("UP");
        stack.dispatcher.runMaintenance();
        Answer scrape = call("GET", "/actuator/prometheus", null, null, null);
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.raw()).contains("outbound_message_queue_depth{status=\"QUEUED\"}")
                .contains("outbound_message_dlq_size");
    }

    @Test
    void aMissingOrWrongTokenIs401() throws Exception {
        assertThat(call("GET", "/api/v1/outbound/messages/1", "demo-org-1", null, null).status()).isEqualTo(401);
        Answer wrong = call("GET", "/api/v1/outbound/messages/1", "demo-org-1", "nope", null);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body().path("errors").get(0).path("field").asText()).isEqualTo("Authorization");
        assertThat(call("POST", "/simulator/meta/outage", null, null, "{\"enabled\":true}").status()).isEqualTo(401);
    }

    @Test
    void aMissingOrBadOrgIs400() throws Exception {
        Answer missing = api("GET", "/api/v1/outbound/messages/1", null, null);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().path("errors").get(0).path("field").asText()).isEqualTo("X-Org-Id");
        assertThat(api("GET", "/api/v1/outbound/messages/1", "org'; DROP TABLE outbound_message;--", null).status())
                .isEqualTo(400);
    }

    @Test
    void enqueueAnswers201ThenSameKey200AndConflict409() throws Exception {
        consent("demo-org-1", "+33611110001", "WHATSAPP");
        String body = "{\"channel\":\"WHATSAPP\",\"to\":\"+33611110001\",\"idempotencyKey\":\"api-1\",\"dossierId\":\"D-1\","
                + "\"template\":{\"name\":\"appointment_reminder\",\"language\":\"fr\",\"parameters\":[\"lundi\"]}}";
        Answer created = api("POST", "/api/v1/outbound/messages", "demo-org-1", body);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().path("status").asText()).isEqualTo("QUEUED");
        assertThat(created.body().path("to").asText()).isEqualTo("+336****0001");
        long id = created.body().path("id").asLong();
        Answer again = api("POST", "/api/v1/outbound/messages", "demo-org-1", body);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("id").asLong()).isEqualTo(id);
        Answer conflict = api("POST", "/api/v1/outbound/messages", "demo-org-1", body.replace("lundi", "mardi"));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.body().path("errors").get(0).path("field").asText()).isEqualTo("idempotencyKey");

        Eventually.await("delivered", Duration.ofSeconds(30), () -> {
            try {
                return api("GET", "/api/v1/outbound/messages/" + id, "demo-org-1", null).body().path("status").asText()
                        .matches("DELIVERED|READ");
            } catch (Exception e) {
                return false;
            }
        });
        Answer view = api("GET", "/api/v1/outbound/messages/" + id, "demo-org-1", null);
        assertThat(view.body().path("attempts").get(0).path("outcome").asText()).isEqualTo("SENT");
        assertThat(view.body().path("providerMessageId").asText()).startsWith("wamid.");
        assertThat(api("GET", "/api/v1/outbound/messages/" + id, "demo-org-2", null).status())
                .as("another org's message").isEqualTo(404);
        assertThat(api("POST", "/api/v1/outbound/messages/" + id + "/retry", "demo-org-2", null).status()).isEqualTo(404);
        assertThat(api("POST", "/api/v1/outbound/messages/" + id + "/retry", "demo-org-1", null).status())
                .as("only a dead letter is retried").isEqualTo(409);
    }

    @Test
    void badBodiesGetFieldErrors() throws Exception {
        Answer notJson = api("POST", "/api/v1/outbound/messages", "demo-org-1", "{not json");
        assertThat(notJson.status()).isEqualTo(400);
        Answer fields = api("POST", "/api/v1/outbound/messages", "demo-org-1",
                "{\"channel\":\"FAX\",\"to\":\"0612\",\"text\":\"hi\",\"idempotencyKey\":\"with space\"}");
        assertThat(fields.status()).isEqualTo(400);
        assertThat(fields.body().path("errors").findValuesAsText("field")).contains("channel");
        Answer to = api("POST", "/api/v1/outbound/messages", "demo-org-1",
                "{\"channel\":\"SMS\",\"to\":\"0612\",\"text\":\"<script>alert(1)</script>\",\"idempotencyKey\":\"k 1\"}");
        assertThat(to.status()).isEqualTo(400);
        assertThat(to.body().path("errors").findValuesAsText("field")).contains("to", "idempotencyKey");
        assertThat(to.raw()).doesNotContain("0612\"");
        Answer both = api("POST", "/api/v1/outbound/messages", "demo-org-1",
                "{\"channel\":\"WHATSAPP\",\"to\":\"+33611110009\",\"text\":\"a\",\"template\":{\"name\":\"x\",\"language\":\"fr\"}}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(api("PUT", "/api/v1/consents/0612", "demo-org-1", "{\"channel\":\"SMS\",\"granted\":true}").status())
                .isEqualTo(400);
    }

    @Test
    void aDeadLetterIsRetriedThroughTheApi() throws Exception {
        // 50-59: the simulator answers 131000 every time; one attempt sends it to the dead letter
        consent("demo-org-3", "+33611110052", "WHATSAPP");
        long id = stack.outbox.enqueue(io.whatsappoutbox.core.OutboundMessageRequest.whatsapp("demo-org-3", "+33611110052")
                .template("newsletter", "fr").maxAttempts(1).idempotencyKey("api-dlq").build()).message().id();
        Eventually.await("dead letter", Duration.ofSeconds(30), () -> "FAILED".equals(
                stack.outbox.find("demo-org-3", id).orElseThrow().status().name()));
        Answer retried = api("POST", "/api/v1/outbound/messages/" + id + "/retry", "demo-org-3", null);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.body().path("status").asText()).isEqualTo("QUEUED");
        assertThat(retried.body().path("errorCode").asText()).as("the previous error stays readable").isEqualTo("131000");
    }

    @Test
    void theDashboardHasTheRunbooksShape() throws Exception {
        Answer d = api("GET", "/api/v1/dashboard/outbound/health", "system-admin", null);
        assertThat(d.status()).isEqualTo(200);
        JsonNode wa = d.body().path("channelMetrics").path("WHATSAPP");
        assertThat(wa.path("channel").asText()).isEqualTo("WHATSAPP");
        assertThat(wa.has("totalMessages")).isTrue();
        assertThat(wa.has("successfulMessages")).isTrue();
        assertThat(wa.has("failedMessages")).isTrue();
        assertThat(wa.has("successRate")).isTrue();
        assertThat(wa.has("averageLatencyMs")).isTrue();
        assertThat(d.body().path("channelMetrics").has("SMS")).isTrue();
        assertThat(api("GET", "/api/v1/dashboard/outbound/health?windowHours=abc", "demo-org-1", null).status()).isEqualTo(400);
    }

    @Test
    void webhooksAreGuardedByTheirSignatures() throws Exception {
        Answer challenge = call("GET", "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=demo-verify-token"
                + "&hub.challenge=1158201444", null, null, null);
        assertThat(challenge.status()).isEqualTo(200);
        assertThat(challenge.raw()).isEqualTo("1158201444");
        assertThat(call("GET", "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1", null, null,
                null).status()).isEqualTo(403);
        assertThat(call("POST", "/webhooks/whatsapp", null, null, "{\"object\":\"whatsapp_business_account\"}").status())
                .isEqualTo(401);
        assertThat(call("POST", "/webhooks/sms/status", null, null, "MessageSid=SM1&MessageStatus=delivered").status())
                .isEqualTo(401);
    }

    @Test
    void anOutageCanBeSwitchedOnAndOffAtRunTime() throws Exception {
        consent("demo-org-2", "+33611110011", "WHATSAPP");
        assertThat(api("POST", "/simulator/meta/outage", null, "{\"enabled\":true,\"errorCode\":131016}").status())
                .isEqualTo(200);
        long id = stack.outbox.enqueue(io.whatsappoutbox.core.OutboundMessageRequest.whatsapp("demo-org-2", "+33611110011")
                .template("appointment_reminder", "fr").maxAttempts(1).idempotencyKey("api-outage").build()).message().id();
        Eventually.await("failed by the outage", Duration.ofSeconds(30), () -> "FAILED".equals(
                stack.outbox.find("demo-org-2", id).orElseThrow().status().name()));
        assertThat(stack.outbox.find("demo-org-2", id).orElseThrow().lastError().code()).isEqualTo("131016");
        assertThat(api("POST", "/simulator/meta/outage", null, "{\"enabled\":false}").status()).isEqualTo(200);
        assertThat(api("POST", "/simulator/meta/outage", null, "{\"enabled\":\"yes\"}").status()).isEqualTo(400);
    }

    /** Bodies as Meta's reference writes them, with our values; the serve mode adds only its own key. */
    static final List<String> META_BODIES = List.of(
            "{\"type\":\"text\",\"text\":{\"preview_url\":false,\"body\":\"Oui, lundi 10h\"},"
                    + "\"context\":{\"message_id\":\"QUOTED\"}}",
            "{\"type\":\"image\",\"image\":{\"link\":\"https://cdn.example.com/42.jpg\",\"caption\":\"Le salon\"}}",
            "{\"type\":\"video\",\"video\":{\"id\":\"1479537139650975\",\"caption\":\"La visite\"}}",
            "{\"type\":\"audio\",\"audio\":{\"link\":\"https://cdn.example.com/message.ogg\"}}",
            "{\"type\":\"sticker\",\"sticker\":{\"id\":\"1479537139650978\"}}",
            "{\"type\":\"document\",\"document\":{\"link\":\"https://cdn.example.com/bail.pdf\",\"caption\":"
                    + "\"Le bail\",\"filename\":\"bail.pdf\"}}",
            "{\"type\":\"location\",\"location\":{\"latitude\":\"43.2965\",\"longitude\":\"5.3698\",\"name\":"
                    + "\"Agence du Port\",\"address\":\"12 rue du Port, 13002 Marseille\"}}",
            "{\"type\":\"contacts\",\"contacts\":[{\"name\":{\"formatted_name\":\"Marc Dupont\",\"first_name\":"
                    + "\"Marc\",\"last_name\":\"Dupont\"},\"phones\":[{\"phone\":\"+33 6 12 34 56 78\",\"type\":"
                    + "\"WORK\",\"wa_id\":\"33612345678\"}],\"emails\":[{\"email\":\"marc@agence.example\","
                    + "\"type\":\"WORK\"}],\"org\":{\"company\":\"Agence du Port\"}}]}",
            "{\"type\":\"interactive\",\"interactive\":{\"type\":\"button\",\"header\":{\"type\":\"image\","
                    + "\"image\":{\"link\":\"https://cdn.example.com/42.jpg\"}},\"body\":{\"text\":\"On visite ?\"},"
                    + "\"footer\":{\"text\":\"Agence du Port\"},\"action\":{\"buttons\":[{\"type\":\"reply\","
                    + "\"reply\":{\"id\":\"yes\",\"title\":\"Oui\"}},{\"type\":\"reply\",\"reply\":{\"id\":"
                    + "\"later\",\"title\":\"Plus tard\"}}]}}}",
            "{\"type\":\"interactive\",\"interactive\":{\"type\":\"list\",\"header\":{\"type\":\"text\","
                    + "\"text\":\"Visite du 42\"},\"body\":{\"text\":\"Choisissez un creneau\"},\"action\":"
                    + "{\"button\":\"Creneaux\",\"sections\":[{\"title\":\"Lundi\",\"rows\":[{\"id\":\"mon-10\","
                    + "\"title\":\"10h\",\"description\":\"Avec Marc\"}]},{\"title\":\"Mardi\",\"rows\":"
                    + "[{\"id\":\"tue-9\",\"title\":\"9h\"}]}]}}}",
            "{\"type\":\"interactive\",\"interactive\":{\"type\":\"cta_url\",\"body\":{\"text\":\"Votre dossier\"},"
                    + "\"action\":{\"name\":\"cta_url\",\"parameters\":{\"display_text\":\"Ouvrir\",\"url\":"
                    + "\"https://crm.example/d/42\"}}}}",
            "{\"type\":\"reaction\",\"reaction\":{\"message_id\":\"QUOTED\",\"emoji\":\"\\uD83D\\uDC4D\"}}",
            "{\"type\":\"template\",\"template\":{\"name\":\"appointment_reminder\",\"language\":{\"code\":\"fr\"},"
                    + "\"components\":[{\"type\":\"header\",\"parameters\":[{\"type\":\"image\",\"image\":"
                    + "{\"link\":\"https://cdn.example.com/42.jpg\"}}]},{\"type\":\"body\",\"parameters\":"
                    + "[{\"type\":\"text\",\"text\":\"lundi 10h\"}]},{\"type\":\"button\",\"sub_type\":\"url\","
                    + "\"index\":\"0\",\"parameters\":[{\"type\":\"text\",\"text\":\"V-42\"}]}]}}");

    @Test
    void everyTypeInMetasOwnShapeLeavesExactlyAsPostedAndTheSimulatorShowsIt() throws Exception {
        String to = "+33611120001";
        consent("demo-org-1", to, "WHATSAPP");
        String quoted = stack.metaSimulator.inbound(DemoStack.PHONE_NUMBER_IDS.get(0), to, "La visite tient ?");
        stack.callbacks.drain(Duration.ofSeconds(10));
        List<JsonNode> expected = new java.util.ArrayList<>();
        for (int i = 0; i < META_BODIES.size(); i++) {
            com.fasterxml.jackson.databind.node.ObjectNode meta = (com.fasterxml.jackson.databind.node.ObjectNode) json
                    .readTree("{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"" + to
                            + "\"," + META_BODIES.get(i).replace("QUOTED", quoted).substring(1));
            expected.add(meta);
            com.fasterxml.jackson.databind.node.ObjectNode posted = meta.deepCopy();
            posted.put("idempotencyKey", "meta-shape-" + i);
            Answer created = api("POST", "/api/v1/outbound/messages", "demo-org-1", posted.toString());
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            assertThat(created.body().path("contentType").asText()).isEqualTo(i == 0 ? "TEXT"
                    : stack.outbox.find("demo-org-1", created.body().path("id").asLong()).orElseThrow().content().type().name());
            long id = created.body().path("id").asLong();
            // one after the other: the simulator then lists them in the order they were written
            Eventually.await("sent", Duration.ofSeconds(30), () -> !stack.outbox.find("demo-org-1", id).orElseThrow()
                    .status().name().matches("QUEUED|SENDING"));
            Answer view = api("GET", "/api/v1/outbound/messages/" + id, "demo-org-1", null);
            assertThat(view.body().path("status").asText()).as(view.raw()).matches("SENT|DELIVERED|READ");
        }
        Answer seen = call("GET", "/simulator/meta/requests?to=%2B" + to.substring(1), null, TOKEN, null);
        assertThat(seen.status()).isEqualTo(200);
        assertThat(seen.body().path("to").asText()).isEqualTo("+336****0001");
        List<JsonNode> received = new java.util.ArrayList<>();
        seen.body().path("requests").forEach(received::add);
        assertThat(received).containsExactlyElementsOf(expected);
        Answer view = api("GET", "/api/v1/outbound/messages/" + stack.outbox.findByIdempotencyKey("demo-org-1",
                "meta-shape-0").orElseThrow().id(), "demo-org-1", null);
        assertThat(view.body().path("inReplyTo").asText()).isEqualTo(quoted);
        Answer template = api("GET", "/api/v1/outbound/messages/" + stack.outbox.findByIdempotencyKey("demo-org-1",
                "meta-shape-12").orElseThrow().id(), "demo-org-1", null);
        assertThat(template.body().path("templateName").asText()).isEqualTo("appointment_reminder");
        assertThat(template.body().path("contentType").asText()).isEqualTo("TEMPLATE");
    }

    @Test
    void badContentIsRefusedByFieldBeforeAnythingIsWritten() throws Exception {
        Answer components = api("POST", "/api/v1/outbound/messages", "demo-org-1", "{\"messaging_product\":\"whatsapp\","
                + "\"to\":\"+33611120002\",\"idempotencyKey\":\"bad-1\",\"type\":\"template\",\"template\":"
                + "{\"name\":\"x\",\"language\":{\"code\":\"fr\"},\"components\":[{\"type\":\"bodyy\"}]}}");
        assertThat(components.status()).isEqualTo(400);
        assertThat(components.body().path("errors").findValuesAsText("field")).contains("template.components[0].type");
        Answer mismatch = api("POST", "/api/v1/outbound/messages", "demo-org-1", "{\"channel\":\"WHATSAPP\","
                + "\"to\":\"+33611120002\",\"idempotencyKey\":\"bad-2\",\"type\":\"video\",\"image\":{\"id\":\"1\"}}");
        assertThat(mismatch.body().path("errors").findValuesAsText("field")).contains("type");
        Answer limits = api("POST", "/api/v1/outbound/messages", "demo-org-1", "{\"channel\":\"WHATSAPP\","
                + "\"to\":\"+33611120002\",\"idempotencyKey\":\"bad-3\",\"location\":{\"latitude\":\"91\","
                + "\"longitude\":\"x\"}}");
        assertThat(limits.body().path("errors").findValuesAsText("field")).contains("location.longitude");
        Answer sms = api("POST", "/api/v1/outbound/messages", "demo-org-1", "{\"channel\":\"SMS\","
                + "\"to\":\"+33611120002\",\"idempotencyKey\":\"bad-4\",\"reaction\":{\"message_id\":\"wamid.X\","
                + "\"emoji\":\"x\"}}");
        assertThat(sms.body().path("errors").findValuesAsText("field")).contains("reaction");
        assertThat(stack.outbox.findByIdempotencyKey("demo-org-1", "bad-1")).isEmpty();
        assertThat(call("GET", "/simulator/meta/requests", null, TOKEN, null).status()).isEqualTo(400);
        assertThat(call("GET", "/simulator/meta/requests?to=%2B33611120002", null, null, null).status()).isEqualTo(401);
    }
}

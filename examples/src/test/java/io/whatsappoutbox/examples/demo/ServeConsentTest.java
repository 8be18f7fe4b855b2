package io.whatsappoutbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.internal.Hmac;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The serve mode's consent by purpose, the org's sending hours, the scheduling fields of a message,
 * cancel and supersede by business key, and the inbound SMS webhook.
 */
class ServeConsentTest {
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

    record Answer(int status, JsonNode body, String raw, String contentType) {}

    static Answer send(HttpRequest.Builder r) throws Exception {
        HttpResponse<String> response = http.send(r.timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode node = null;
        try {
            node = json.readTree(response.body());
        } catch (Exception e) {
            // TwiML
        }
        return new Answer(response.statusCode(), node, response.body(),
                response.headers().firstValue("Content-Type").orElse(""));
    }

    static Answer api(String method, String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + TOKEN).header("X-Org-Id", "demo-org-1")
                .header("Content-Type", "application/json"));
    }

    /** Twilio's inbound form, signed over the serve mode's public URL as Twilio signs it. */
    static Answer inboundSms(String from, String body, boolean validSignature) throws Exception {
        String url = base + "/webhooks/sms/inbound";
        Map<String, String> params = new TreeMap<>(Map.of("MessageSid", "SM" + Math.abs(body.hashCode()) + from.hashCode(),
                "From", from, "To", DemoStack.SMS_FROM, "Body", body, "NumMedia", "0", "AccountSid",
                "AC0123456789abcdef0123456789abcdef", "ApiVersion", "2010-04-01"));
        String signed = url + params.entrySet().stream().map(e -> e.getKey() + e.getValue()).collect(Collectors.joining());
        String signature = Hmac.sha1Base64((validSignature ? DemoConfig.DEFAULT_TWILIO_AUTH_TOKEN : "not-the-token")
                .getBytes(StandardCharsets.UTF_8), signed.getBytes(StandardCharsets.UTF_8));
        String form = params.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(form))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Twilio-Signature", signature));
    }

    @Test
    void consentIsGrantedPerPurposeTransactionalByDefault() throws Exception {
        String e164 = "+33611119001";
        Answer put = api("PUT", "/api/v1/consents/" + e164, "{\"channel\":\"WHATSAPP\",\"granted\":true}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.body().path("purpose").asText()).isEqualTo("TRANSACTIONAL");
        Answer marketing = api("PUT", "/api/v1/consents/" + e164,
                "{\"channel\":\"WHATSAPP\",\"granted\":false,\"purpose\":\"MARKETING\"}");
        assertThat(marketing.status()).isEqualTo(200);
        assertThat(marketing.body().path("status").asText()).isEqualTo("REVOKED");
        Answer get = api("GET", "/api/v1/consents/" + e164, null);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body().path("consents").path("WHATSAPP").path("TRANSACTIONAL").asText()).isEqualTo("GRANTED");
        assertThat(get.body().path("consents").path("WHATSAPP").path("MARKETING").asText()).isEqualTo("REVOKED");
        assertThat(get.body().path("consents").path("SMS").path("TRANSACTIONAL").asText()).isEqualTo("UNKNOWN");
        assertThat(get.raw()).doesNotContain(e164);
    }

    @Test
    void aPurposeThatIsNoneIs400NamingTheField() throws Exception {
        Answer bad = api("PUT", "/api/v1/consents/+33611119002",
                "{\"channel\":\"SMS\",\"granted\":true,\"purpose\":\"PROMOTIONS\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.raw()).contains("purpose");
    }

    @Test
    void anInboundSmsStopRevokesAndStartGrantsBackOnlyWhenSigned() throws Exception {
        String e164 = "+33611119003";
        api("PUT", "/api/v1/consents/" + e164, "{\"channel\":\"SMS\",\"granted\":true}");
        Answer forged = inboundSms(e164, "STOP", false);
        assertThat(forged.status()).isEqualTo(401);
        assertThat(api("GET", "/api/v1/consents/" + e164, null).body().path("consents").path("SMS")
                .path("TRANSACTIONAL").asText()).isEqualTo("GRANTED");

        Answer stop = inboundSms(e164, "STOP", true);
        assertThat(stop.status()).isEqualTo(200);
        assertThat(stop.contentType()).startsWith("text/xml");
        assertThat(stop.raw()).contains("<Response/>");
        assertThat(api("GET", "/api/v1/consents/" + e164, null).body().path("consents").path("SMS")
                .path("TRANSACTIONAL").asText()).isEqualTo("REVOKED");

        assertThat(inboundSms(e164, "START", true).status()).isEqualTo(200);
        assertThat(api("GET", "/api/v1/consents/" + e164, null).body().path("consents").path("SMS")
                .path("TRANSACTIONAL").asText()).isEqualTo("GRANTED");
    }

    @Test
    void sendingHoursAreSetReadAndClearedAndAMessageCarriesItsSchedulingFields() throws Exception {
        Answer put = api("PUT", "/api/v1/sending-hours", "{\"opens\":\"09:00\",\"closes\":\"20:00\","
                + "\"days\":[\"MONDAY\",\"FRIDAY\"],\"timeZone\":\"Europe/Paris\"}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.body().path("action").asText()).isEqualTo("SET_SENDING_HOURS");
        Answer get = api("GET", "/api/v1/sending-hours", null);
        assertThat(get.body().path("sendingHours").path("days").toString()).isEqualTo("[\"MONDAY\",\"FRIDAY\"]");
        assertThat(get.body().path("sendingHours").path("holdTransactional").asBoolean()).isFalse();

        Answer offer = api("POST", "/api/v1/outbound/messages", "{\"channel\":\"WHATSAPP\",\"to\":\"+33611119010\","
                + "\"template\":{\"name\":\"appointment_reminder\",\"language\":\"fr\",\"parameters\":[\"lundi\"]},"
                + "\"purpose\":\"MARKETING\",\"recipientTimeZone\":\"America/New_York\",\"idempotencyKey\":\"hours-1\","
                + "\"sendBy\":\"2099-01-01T18:00:00Z\",\"priority\":\"LOW\",\"orderingKey\":\"dossier-42\"}");
        assertThat(offer.status()).as(offer.raw()).isEqualTo(201);
        assertThat(offer.body().path("purpose").asText()).isEqualTo("MARKETING");
        assertThat(offer.body().path("recipientTimeZone").asText()).isEqualTo("America/New_York");
        assertThat(offer.body().path("sendBy").asText()).isEqualTo("2099-01-01T18:00:00Z");
        assertThat(offer.body().path("priority").asText()).isEqualTo("LOW");
        assertThat(offer.body().path("orderingKey").asText()).isEqualTo("dossier-42");

        Answer cleared = api("DELETE", "/api/v1/sending-hours", null);
        assertThat(cleared.body().path("action").asText()).isEqualTo("CLEAR_SENDING_HOURS");
        assertThat(cleared.body().path("before").path("opens").asText()).isEqualTo("09:00");
        assertThat(api("GET", "/api/v1/sending-hours", null).body().path("sendingHours").isNull()).isTrue();
    }

    @Test
    void badSendingHoursAndBadSchedulingFieldsAre400NamingEachField() throws Exception {
        Answer bad = api("PUT", "/api/v1/sending-hours", "{\"opens\":\"9h\",\"closes\":\"20:00\","
                + "\"days\":[\"FUNDAY\"],\"timeZone\":\"Mars/Olympus\",\"holdTransactional\":\"yes\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("errors").findValuesAsText("field"))
                .contains("opens", "days", "timeZone", "holdTransactional");
        assertThat(api("GET", "/api/v1/sending-hours", null).body().path("sendingHours").isNull()).isTrue();

        Answer zone = api("POST", "/api/v1/outbound/messages", "{\"channel\":\"WHATSAPP\",\"to\":\"+33611119011\","
                + "\"text\":\"hi\",\"purpose\":\"PROMO\",\"recipientTimeZone\":\"Mars/Olympus\",\"sendBy\":\"tomorrow\","
                + "\"priority\":\"URGENT\",\"orderingKey\":\"with space\"}");
        assertThat(zone.status()).isEqualTo(400);
        assertThat(zone.body().path("errors").findValuesAsText("field")).contains("recipientTimeZone", "purpose", "sendBy", "priority");
        Answer key = api("POST", "/api/v1/outbound/messages", "{\"channel\":\"WHATSAPP\",\"to\":\"+33611119012\","
                + "\"text\":\"hi\",\"orderingKey\":\"with space\"}");
        assertThat(key.status()).isEqualTo(400);
        assertThat(key.body().path("errors").findValuesAsText("field")).contains("orderingKey");
    }

    /** Enqueues a template to a consenting recipient; the answer's body. */
    static JsonNode enqueue(String e164, String key, String extra) throws Exception {
        api("PUT", "/api/v1/consents/" + e164, "{\"channel\":\"WHATSAPP\",\"granted\":true}");
        Answer a = api("POST", "/api/v1/outbound/messages", "{\"channel\":\"WHATSAPP\",\"to\":\"" + e164 + "\","
                + "\"template\":{\"name\":\"appointment_reminder\",\"language\":\"fr\",\"parameters\":[\"lundi\"]},"
                + "\"idempotencyKey\":\"" + key + "\"" + extra + "}");
        assertThat(a.status()).as(a.raw()).isIn(200, 201);
        return a.body();
    }

    static void awaitHeld(long id) {
        io.whatsappoutbox.core.testing.Eventually.await("message " + id + " held", Duration.ofSeconds(20), () -> {
            try {
                return "OUTSIDE_SENDING_HOURS".equals(api("GET", "/api/v1/outbound/messages/" + id, null).body()
                        .path("errorCode").asText(null));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void cancelByDossierOrKeyAnswersTheIdsAndSupersedeReplacesTheQueuedOne() throws Exception {
        // hours that are closed now hold every message queued, so that none is sent before the cancel
        java.time.LocalTime opens = java.time.LocalTime.now(java.time.ZoneOffset.UTC).plusHours(2).withSecond(0).withNano(0);
        api("PUT", "/api/v1/sending-hours", "{\"opens\":\"" + opens + "\",\"closes\":\"" + opens.plusHours(1)
                + "\",\"timeZone\":\"UTC\",\"holdTransactional\":true}");
        try {
            long a = enqueue("+33611119020", "cancel-a", ",\"dossierId\":\"V-20\",\"recipientTimeZone\":\"UTC\"").path("id").asLong();
            long b = enqueue("+33611119021", "cancel-b", ",\"dossierId\":\"V-20\",\"recipientTimeZone\":\"UTC\"").path("id").asLong();
            long c = enqueue("+33611119022", "cancel-c", ",\"dossierId\":\"V-21\",\"recipientTimeZone\":\"UTC\"").path("id").asLong();
            awaitHeld(a);
            awaitHeld(b);
            awaitHeld(c);

            Answer cancelled = api("POST", "/api/v1/outbound/messages/cancel", "{\"dossierId\":\"V-20\"}");
            assertThat(cancelled.status()).as(cancelled.raw()).isEqualTo(200);
            assertThat(cancelled.body().path("cancelled").toString()).isEqualTo("[" + a + "," + b + "]");
            assertThat(cancelled.body().path("inFlight").toString()).isEqualTo("[]");
            assertThat(api("GET", "/api/v1/outbound/messages/" + a, null).body().path("status").asText()).isEqualTo("CANCELLED");

            JsonNode replacing = enqueue("+33611119022", "cancel-d",
                    ",\"dossierId\":\"V-21\",\"supersedes\":{\"idempotencyKey\":\"cancel-c\"}");
            assertThat(replacing.path("superseded").toString()).isEqualTo("[" + c + "]");
            assertThat(api("GET", "/api/v1/outbound/messages/" + c, null).body().path("status").asText()).isEqualTo("CANCELLED");
            assertThat(api("POST", "/api/v1/outbound/messages/cancel", "{\"idempotencyKey\":\"cancel-c\"}").body()
                    .path("cancelled").toString()).isEqualTo("[]");
        } finally {
            api("DELETE", "/api/v1/sending-hours", null);
        }
    }

    @Test
    void aCancelNamingNeitherOrBothKeysIs400() throws Exception {
        Answer neither = api("POST", "/api/v1/outbound/messages/cancel", "{}");
        assertThat(neither.status()).isEqualTo(400);
        assertThat(neither.raw()).contains("dossierId").contains("idempotencyKey");
        Answer both = api("POST", "/api/v1/outbound/messages/cancel", "{\"dossierId\":\"V-1\",\"idempotencyKey\":\"k\"}");
        assertThat(both.status()).isEqualTo(400);
        Answer badKey = api("POST", "/api/v1/outbound/messages/cancel", "{\"idempotencyKey\":\"with space\"}");
        assertThat(badKey.status()).isEqualTo(400);
        assertThat(badKey.body().path("errors").findValuesAsText("field")).contains("idempotencyKey");
        Answer badSupersedes = api("POST", "/api/v1/outbound/messages", "{\"channel\":\"WHATSAPP\",\"to\":\"+33611119030\","
                + "\"text\":\"hi\",\"supersedes\":\"V-1\"}");
        assertThat(badSupersedes.status()).isEqualTo(400);
        assertThat(badSupersedes.body().path("errors").findValuesAsText("field")).contains("supersedes");
    }
}

package io.whatsappoutbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.testing.Eventually;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Meta's lifecycle, told through the serve mode: the simulator signs and posts the webhooks, and
 * the registry, the holds and the consents follow them.
 */
class ServeLifecycleTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static ServeStack serve;

    @BeforeAll
    static void start() {
        serve = ServeStack.start();
    }

    @AfterAll
    static void stop() {
        serve.close();
    }

    static ServeStack.Answer api(String method, String path, String org, String body) throws Exception {
        return serve.api(method, path, org, body);
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static java.util.function.BooleanSupplier unchecked(Check c) {
        return () -> {
            try {
                return c.holds();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    static String status(String org, String template) throws Exception {
        for (JsonNode t : api("GET", "/api/v1/templates?orgId=" + org, null, null).body().path("templates")) {
            if (t.path("name").asText().equals(template)) {
                return t.path("status").asText();
            }
        }
        return null;
    }

    @Test
    void aPauseAndAReinstatementPostedByTheSimulatorMoveTheTemplatesStatus() throws Exception {
        assertThat(api("POST", "/api/v1/templates/sync", null, "{\"orgId\":\"demo-org-2\"}").status()).isEqualTo(200);
        assertThat(status("demo-org-2", "urgent_notification")).isEqualTo("APPROVED");

        ServeStack.Answer paused = api("POST", "/simulator/meta/lifecycle", null, """
                {"orgId":"demo-org-2","field":"message_template_status_update","value":{"event":"PAUSED",
                 "message_template_id":1689556908129832,"message_template_name":"urgent_notification",
                 "message_template_language":"fr","reason":"NONE",
                 "other_info":{"title":"FIRST_PAUSE","description":"paused for 3 hours"}}}""");
        assertThat(paused.status()).isEqualTo(202);
        Eventually.await("the registry shows the pause", WAIT, unchecked(() -> "PAUSED".equals(status("demo-org-2",
                "urgent_notification"))));

        api("POST", "/simulator/meta/lifecycle", null, """
                {"orgId":"demo-org-2","field":"message_template_status_update","value":{"event":"REINSTATED",
                 "message_template_id":1689556908129832,"message_template_name":"urgent_notification",
                 "message_template_language":"fr","reason":"NONE"}}""");
        Eventually.await("the registry shows it approved again", WAIT, unchecked(() -> "APPROVED".equals(status("demo-org-2",
                "urgent_notification"))));
    }

    @Test
    void aCustomersMarketingStopPostedByTheSimulatorRevokesMarketingOnly() throws Exception {
        String phone = "+33698765401";
        for (String purpose : new String[] {"TRANSACTIONAL", "MARKETING"}) {
            assertThat(api("PUT", "/api/v1/consents/" + phone, "demo-org-3",
                    "{\"channel\":\"WHATSAPP\",\"granted\":true,\"purpose\":\"" + purpose + "\"}").status())
                    .isEqualTo(200);
        }
        ServeStack.Answer posted = api("POST", "/simulator/meta/lifecycle", null, """
                {"orgId":"demo-org-3","field":"user_preferences","value":{
                 "contacts":[{"wa_id":"33698765401"}],
                 "user_preferences":[{"wa_id":"33698765401","detail":"User requested to stop marketing messages",
                   "category":"marketing_messages","value":"stop","timestamp":1764669600}]}}""");
        assertThat(posted.status()).isEqualTo(202);
        Eventually.await("marketing revoked", WAIT, unchecked(() -> "REVOKED".equals(api("GET", "/api/v1/consents/" + phone,
                "demo-org-3", null).body().path("consents").path("WHATSAPP").path("MARKETING").asText())));
        assertThat(api("GET", "/api/v1/consents/" + phone, "demo-org-3", null).body().path("consents")
                .path("WHATSAPP").path("TRANSACTIONAL").asText()).isEqualTo("GRANTED");
    }

    @Test
    void aNumbersQualityPostedByTheSimulatorShowsOnTheDashboardMasked() throws Exception {
        ServeStack.Answer posted = api("POST", "/simulator/meta/lifecycle", null, """
                {"orgId":"demo-org-1","field":"phone_number_quality_update","value":{
                 "display_phone_number":"15550783881","event":"FLAGGED","current_limit":"TIER_250"}}""");
        assertThat(posted.status()).isEqualTo(202);
        Eventually.await("the dashboard shows the number flagged", WAIT, unchecked(() -> {
            JsonNode numbers = api("GET", "/api/v1/dashboard/outbound/health", "demo-org-1", null).body().path("numbers");
            return numbers.size() == 1 && "FLAGGED".equals(numbers.get(0).path("lastEvent").asText());
        }));
        JsonNode n = api("GET", "/api/v1/dashboard/outbound/health", "demo-org-1", null).body().path("numbers").get(0);
        assertThat(n.path("messagingLimit").asText()).isEqualTo("TIER_250");
        assertThat(n.path("orgIds").toString()).isEqualTo("[\"demo-org-1\"]");
        assertThat(n.path("displayPhoneNumber").asText()).doesNotContain("5550783").endsWith("3881");
        assertThat(api("GET", "/api/v1/dashboard/outbound/health", "demo-org-2", null).body().path("numbers").size())
                .as("another org's number is not shown").isZero();
    }

    @Test
    void aLifecycleRequestNamesItsBadField() throws Exception {
        ServeStack.Answer bad = api("POST", "/simulator/meta/lifecycle", null,
                "{\"orgId\":\"demo-org-1\",\"field\":\"messages\",\"value\":{}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("errors").get(0).path("field").asText()).isEqualTo("field");
    }
}

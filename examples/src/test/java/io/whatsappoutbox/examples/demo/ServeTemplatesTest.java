package io.whatsappoutbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The serve mode's template endpoints: a sync reads the simulator's two pages into the registry,
 * the list shows them in camelCase, and the enqueue then checks template messages against them.
 * A stack of its own: syncing turns the checks on for the demo orgs.
 */
class ServeTemplatesTest {
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

    record Answer(int status, JsonNode body) {}

    static Answer api(String method, String path, String org, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json");
        if (org != null) {
            r.header("X-Org-Id", org);
        }
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), json.readTree(response.body()));
    }

    static List<String> names(JsonNode templates) {
        List<String> out = new ArrayList<>();
        templates.forEach(t -> out.add(t.path("name").asText()));
        return out;
    }

    @Test
    void aSyncReadsBothPagesAndTheListShowsThemThenTheEnqueueChecksAgainstThem() throws Exception {
        Answer sync = api("POST", "/api/v1/templates/sync", null, "{\"orgId\":\"demo-org-1\"}");
        assertThat(sync.status()).isEqualTo(200);
        assertThat(sync.body().path("synced").get(0).path("orgId").asText()).isEqualTo("demo-org-1");
        assertThat(sync.body().path("synced").get(0).path("templates").asInt()).isEqualTo(4);

        Answer list = api("GET", "/api/v1/templates?orgId=demo-org-1", null, null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().path("lastSync").asText()).isNotEmpty();
        assertThat(names(list.body().path("templates")))
                .containsExactly("appointment_reminder", "new_listing_alert", "newsletter", "urgent_notification");
        JsonNode listing = list.body().path("templates").get(1);
        assertThat(listing.path("category").asText()).isEqualTo("MARKETING");
        assertThat(listing.path("header").path("format").asText()).isEqualTo("IMAGE");
        assertThat(listing.path("bodyParameters")).hasSize(2);
        assertThat(listing.path("buttons").get(0).path("takesParameter").asBoolean()).isTrue();
        assertThat(listing.path("parameterFormat").asText()).isEqualTo("POSITIONAL");

        String good = "{\"channel\":\"WHATSAPP\",\"to\":\"+33611119001\",\"idempotencyKey\":\"tpl-1\","
                + "\"template\":{\"name\":\"appointment_reminder\",\"language\":\"fr\",\"parameters\":[\"lundi\"]}}";
        assertThat(api("PUT", "/api/v1/consents/+33611119001", "demo-org-1",
                "{\"channel\":\"WHATSAPP\",\"granted\":true}").status()).isEqualTo(200);
        assertThat(api("POST", "/api/v1/outbound/messages", "demo-org-1", good).status()).isEqualTo(201);
        Answer refused = api("POST", "/api/v1/outbound/messages", "demo-org-1",
                good.replace("tpl-1", "tpl-2").replace("[\"lundi\"]", "[\"lundi\",\"mardi\"]"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().path("errors").get(0).path("field").asText()).isEqualTo("content.template.parameters");
    }

    @Test
    void aSyncWithoutAnOrgSyncsEveryDemoOrg() throws Exception {
        Answer sync = api("POST", "/api/v1/templates/sync", null, null);
        assertThat(sync.status()).isEqualTo(200);
        List<String> orgs = new ArrayList<>();
        sync.body().path("synced").forEach(s -> {
            orgs.add(s.path("orgId").asText());
            assertThat(s.path("templates").asInt()).isEqualTo(4);
        });
        assertThat(orgs).containsExactly("demo-org-1", "demo-org-2", "demo-org-3");
        assertThat(api("GET", "/api/v1/templates", "demo-org-3", null).body().path("templates")).hasSize(4);
    }

    @Test
    void aBadOrgIdIsRefusedWithItsField() throws Exception {
        Answer bad = api("GET", "/api/v1/templates?orgId=bad%20org", null, null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("errors").get(0).path("field").asText()).isEqualTo("orgId");
    }
}

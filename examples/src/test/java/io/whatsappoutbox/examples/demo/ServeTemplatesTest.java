package io.whatsappoutbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The serve mode's template endpoints: a sync reads the simulator's two pages into the registry,
 * the list shows them in camelCase, and the enqueue then checks template messages against them.
 * A stack of its own: syncing turns the checks on for the demo orgs.
 */
class ServeTemplatesTest {
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

    static List<String> names(JsonNode templates) {
        List<String> out = new ArrayList<>();
        templates.forEach(t -> out.add(t.path("name").asText()));
        return out;
    }

    @Test
    void aSyncReadsBothPagesAndTheListShowsThemThenTheEnqueueChecksAgainstThem() throws Exception {
        ServeStack.Answer sync = api("POST", "/api/v1/templates/sync", null, "{\"orgId\":\"demo-org-1\"}");
        assertThat(sync.status()).isEqualTo(200);
        assertThat(sync.body().path("synced").get(0).path("orgId").asText()).isEqualTo("demo-org-1");
        assertThat(sync.body().path("synced").get(0).path("templates").asInt()).isEqualTo(4);

        ServeStack.Answer list = api("GET", "/api/v1/templates?orgId=demo-org-1", null, null);
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
        ServeStack.Answer refused = api("POST", "/api/v1/outbound/messages", "demo-org-1",
                good.replace("tpl-1", "tpl-2").replace("[\"lundi\"]", "[\"lundi\",\"mardi\"]"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().path("errors").get(0).path("field").asText()).isEqualTo("content.template.parameters");
    }

    @Test
    void aSyncWithoutAnOrgSyncsEveryDemoOrg() throws Exception {
        ServeStack.Answer sync = api("POST", "/api/v1/templates/sync", null, null);
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
        ServeStack.Answer bad = api("GET", "/api/v1/templates?orgId=bad%20org", null, null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("errors").get(0).path("field").asText()).isEqualTo("orgId");
    }
}

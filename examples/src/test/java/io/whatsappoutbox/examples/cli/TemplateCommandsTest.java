package io.whatsappoutbox.examples.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code templates sync} reads Meta's pages into the registry with the org's token; {@code templates list} shows it. */
class TemplateCommandsTest {
    @RegisterExtension
    static WireMockExtension meta = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    static final String WABA = "102290129340398";
    static final String TOKEN = "EAAJ-cli-token-SECRET";
    static final String KEY = EncryptionKeys.generateBase64Key();
    static final String LIST = "/v23.0/" + WABA + "/message_templates";

    HikariDataSource ds;
    JdbcOutbox outbox;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.fromBase64("k1", KEY)).build();
        outbox.providerConfigs().save(new ProviderConfig("org-1", "106540352242922", WABA, Secret.of(TOKEN), null, true,
                null), "test");
        meta.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("after", absent())
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"data":[{"id":"1","name":"appointment_reminder","language":"fr","status":"APPROVED",
                          "category":"UTILITY","components":[{"type":"BODY","text":"Rappel {{1}}"}]}],
                         "paging":{"cursors":{"after":"MjQZD"},"next":"https://graph.facebook.com/v23.0/x?after=MjQZD"}}""")));
        meta.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("after", equalTo("MjQZD"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"data":[{"id":"2","name":"new_listing_alert","language":"fr","status":"PAUSED",
                          "category":"MARKETING","components":[{"type":"HEADER","format":"IMAGE"},
                          {"type":"BODY","text":"{{1}} a {{2}}"}]}],"paging":{"cursors":{"after":"end"}}}""")));
    }

    @AfterEach
    void stop() {
        outbox.close();
        ds.close();
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("OUTBOX_JDBC_URL", ds.getJdbcUrl());
        env.put("OUTBOX_JDBC_USER", "postgres");
        env.put("OUTBOX_JDBC_PASSWORD", "postgres");
        env.put("OUTBOX_ENCRYPTION_KEY", KEY);
        env.put("OUTBOX_META_BASE_URL", meta.baseUrl());
        return env;
    }

    @Test
    void syncThenListAsJson() {
        CliFixture.Run sync = CliFixture.run(env(), "", "templates", "sync", "--org", "org-1", "--json");
        assertThat(sync.exitCode()).as(sync.err()).isEqualTo(CliExit.OK);
        assertThat(sync.json().path("templates").asInt()).isEqualTo(2);
        assertThat(sync.out() + sync.err()).doesNotContain(TOKEN);

        CliFixture.Run list = CliFixture.run(env(), "", "templates", "list", "--org", "org-1", "--json");
        assertThat(list.exitCode()).as(list.err()).isEqualTo(CliExit.OK);
        JsonNode templates = list.json().path("templates");
        assertThat(templates.findValuesAsText("name"))
                .containsExactly("appointment_reminder", "new_listing_alert");
        assertThat(templates.get(1).path("status").asText()).isEqualTo("PAUSED");
        assertThat(templates.get(1).path("header").path("format").asText()).isEqualTo("IMAGE");
        assertThat(list.json().path("lastSync").asText()).isNotEmpty();
    }

    @Test
    void listForHumansSaysANeverSyncedOrgIsNotChecked() {
        CliFixture.Run list = CliFixture.run(env(), "", "templates", "list", "--org", "org-1");
        assertThat(list.exitCode()).isEqualTo(CliExit.OK);
        assertThat(list.out()).contains("never (template messages are not checked)");
    }

    @Test
    void aRefusedListFailsWithExit1AndChangesNothing() {
        meta.resetAll();
        meta.stubFor(get(urlPathEqualTo(LIST)).willReturn(aResponse().withStatus(401).withBody(
                "{\"error\":{\"message\":\"Invalid OAuth access token\",\"code\":190}}")));
        CliFixture.Run sync = CliFixture.run(env(), "", "templates", "sync", "--org", "org-1");
        assertThat(sync.exitCode()).isEqualTo(CliExit.FAILED);
        assertThat(sync.err()).contains("HTTP 401").contains(WABA).doesNotContain(TOKEN);
        assertThat(outbox.templates().lastSync("org-1")).isEmpty();
    }
}

package io.whatsappoutbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the serve mode trusts, since it is what users copy: no public default against a real
 * provider, loopback unless told otherwise, and tokens that act only for the orgs they were given.
 */
class ServeModeTrustTest {
    static final String ORG_1_TOKEN = "token-of-org-1-only-0001";
    static final String ORGS_2_3_TOKEN = "token-of-orgs-2-and-3-0002";
    static final String EVERY_ORG_TOKEN = "token-for-every-org-0003";
    static final HttpClient http = HttpClient.newHttpClient();
    static DemoStack stack;
    static String base;

    @BeforeAll
    static void start() {
        DemoConfig config = DemoConfig.fromEnvironment(Map.of("OUTBOX_DEMO_MODE", "serve", "OUTBOX_DEMO_API_TOKENS",
                "demo-org-1=" + ORG_1_TOKEN + "; demo-org-2, demo-org-3=" + ORGS_2_3_TOKEN + "\n*=" + EVERY_ORG_TOKEN))
                .withPort(0);
        stack = DemoStack.start(config, new PrintStream(new ByteArrayOutputStream())::println);
        base = "http://localhost:" + stack.http.port();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static HttpResponse<String> get(String path, String token, String org) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).GET();
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        if (org != null) {
            r.header("X-Org-Id", org);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String token, String org, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (org != null) {
            r.header("X-Org-Id", org);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenActsOnlyForTheOrgsItWasGiven() throws Exception {
        assertThat(get("/api/v1/outbound/messages/1", ORG_1_TOKEN, "demo-org-1").statusCode()).isEqualTo(404);
        HttpResponse<String> other = get("/api/v1/outbound/messages/1", ORG_1_TOKEN, "demo-org-2");
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).contains("X-Org-Id").contains("demo-org-2");
        assertThat(get("/api/v1/outbound/messages/1", ORGS_2_3_TOKEN, "demo-org-3").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/outbound/messages/1", ORGS_2_3_TOKEN, "demo-org-1").statusCode()).isEqualTo(403);
        HttpResponse<String> created = post("/api/v1/outbound/messages", ORG_1_TOKEN, "demo-org-1",
                "{\"channel\":\"SMS\",\"to\":\"+33612340001\",\"idempotencyKey\":\"trust-1\",\"text\":\"hello\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @Test
    void onlyATokenForEveryOrgSeesEveryOrgOrFlipsTheSimulators() throws Exception {
        String dashboard = "/api/v1/dashboard/outbound/health";
        assertThat(get(dashboard, ORG_1_TOKEN, DemoApi.ADMIN_ORG).statusCode()).isEqualTo(403);
        assertThat(get(dashboard, EVERY_ORG_TOKEN, DemoApi.ADMIN_ORG).statusCode()).isEqualTo(200);
        assertThat(get(dashboard, EVERY_ORG_TOKEN, "demo-org-2").statusCode()).isEqualTo(200);
        assertThat(post("/simulator/meta/outage", ORGS_2_3_TOKEN, null, "{\"enabled\":false}").statusCode())
                .isEqualTo(403);
        assertThat(post("/simulator/meta/outage", EVERY_ORG_TOKEN, null, "{\"enabled\":false}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void theDemoDefaultTokenIsGoneOnceTokensAreConfigured() throws Exception {
        assertThat(get("/api/v1/outbound/messages/1", DemoConfig.DEFAULT_ADMIN_TOKEN, "demo-org-1").statusCode())
                .isEqualTo(401);
    }

    @Test
    void itListensOnLoopbackUnlessTold() {
        assertThat(stack.http.address().getAddress().isLoopbackAddress()).isTrue();
        DemoHttpServer everywhere = new DemoHttpServer("0.0.0.0", 0);
        try {
            assertThat(everywhere.address().getAddress().isAnyLocalAddress()).isTrue();
        } finally {
            everywhere.stop();
        }
        assertThat(DemoConfig.fromEnvironment(Map.of()).bindAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void healthNamesTheOrgWhoseWebhookSecretDoesNotOpenAndStaysUp() throws Exception {
        stack.outbox.jdbi().useHandle(h -> h.execute("UPDATE whatsapp_provider_config SET webhook_secret_encrypted ="
                + " access_token_encrypted WHERE org_id = 'demo-org-3'"));
        stack.outbox.providerConfigs().invalidate();
        try {
            HttpResponse<String> r = get("/actuator/health", null, null);
            JsonNode health = new ObjectMapper().readTree(r.body());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(health.path("status").asText()).isEqualTo("UP");
            JsonNode secrets = health.path("components").path("webhookSecrets");
            assertThat(secrets.path("status").asText()).isEqualTo("DEGRADED");
            assertThat(secrets.path("unreadable").get(0).path("orgId").asText()).isEqualTo("demo-org-3");
        } finally {
            stack.outbox.providerConfigs().rotateWebhookSecret(io.whatsappoutbox.jdbc.ops.Scope.org("demo-org-3"),
                    stack.config.metaAppSecret(), Duration.ZERO, "test", false);
        }
    }

    @Test
    void realProvidersWithThePublicDefaultsAreRefusedNamingWhatToSet() {
        Map<String, String> env = new HashMap<>(Map.of("OUTBOX_DEMO_MODE", "serve",
                "OUTBOX_DEMO_META_BASE_URL", "https://graph.facebook.com"));
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(env)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OUTBOX_DEMO_ADMIN_TOKEN or OUTBOX_DEMO_API_TOKENS")
                .hasMessageContaining("OUTBOX_DEMO_META_APP_SECRET").hasMessageContaining("OUTBOX_DEMO_META_VERIFY_TOKEN")
                .hasMessageContaining("OUTBOX_DEMO_TWILIO_AUTH_TOKEN").hasMessageContaining("OUTBOX_ENCRYPTION_KEY");
        env.putAll(Map.of("OUTBOX_DEMO_API_TOKENS", "demo-org-1=" + ORG_1_TOKEN,
                "OUTBOX_DEMO_META_APP_SECRET", "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                "OUTBOX_DEMO_META_VERIFY_TOKEN", "a-verify-token-of-our-own",
                "OUTBOX_DEMO_TWILIO_AUTH_TOKEN", "9c2d7e4b1a0f8e6d5c4b3a2918070605"));
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(env)).hasMessageEndingWith(
                "set OUTBOX_ENCRYPTION_KEY (a throw-away key would leave the stored tokens unreadable after a restart)");
        env.put("OUTBOX_ENCRYPTION_KEY", io.whatsappoutbox.jdbc.EncryptionKeys.generateBase64Key());
        assertThat(DemoConfig.fromEnvironment(env).realProviders()).isTrue();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, String> defaults = Map.of("OUTBOX_DEMO_MODE", "serve", "OUTBOX_DEMO_SMS_BASE_URL",
                "https://api.twilio.com");
        assertThat(runQuietly(defaults, out)).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("error: the demo talks to a real provider");
    }

    @Test
    void tokensAreCheckedWhenTheyAreRead() {
        assertThatThrownBy(() -> DemoConfig.apiTokens(null, "demo-org-1=short")).hasMessageContaining("entry 1")
                .hasMessageNotContaining("short");
        assertThatThrownBy(() -> DemoConfig.apiTokens(null, "org one=" + ORG_1_TOKEN)).hasMessageContaining("org id");
        assertThatThrownBy(() -> DemoConfig.apiTokens(null, ORG_1_TOKEN)).hasMessageContaining("<orgs>=<token>")
                .hasMessageNotContaining(ORG_1_TOKEN);
        assertThatThrownBy(() -> DemoConfig.apiTokens(null, "a=" + ORG_1_TOKEN + ";b=" + ORG_1_TOKEN))
                .hasMessageContaining("repeats");
        assertThat(DemoConfig.apiTokens(null, null)).singleElement()
                .satisfies(t -> assertThat(t.allOrgs()).isTrue());
    }

    static int runQuietly(Map<String, String> env, ByteArrayOutputStream out) {
        try {
            return DemoApp.run(env, new PrintStream(out, true, StandardCharsets.UTF_8), 1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

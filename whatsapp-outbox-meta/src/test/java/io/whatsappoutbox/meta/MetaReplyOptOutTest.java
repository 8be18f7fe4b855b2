package io.whatsappoutbox.meta;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.webhook.WebhookProcessor;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Meta's reply shapes through the signed handler to the real store: a tapped title is no opt-out. */
class MetaReplyOptOutTest {
    static final String PHONE_ID = Webhooks.PHONE_ID_1;
    static final PhoneNumber CUSTOMER = PhoneNumber.of("+33612345678");
    final Secret secret = Secret.of("app-secret-org-1");
    HikariDataSource ds;
    JdbcOutbox outbox;
    MetaWebhookHandler handler;
    int sequence;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).configCacheFor(Duration.ZERO)
                .encryptionKeys(EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key())).build();
        outbox.providerConfigs().save(ProviderConfig.of("org-1", PHONE_ID, Secret.of("EAAJ-token-1"), secret), "test");
        handler = MetaWebhookHandler.builder().verifyToken(Secret.of("verify"))
                .secrets(outbox.providerConfigs().webhookSecrets()).accounts(outbox.providerConfigs())
                .sink(WebhookProcessor.builder(outbox.webhookStore()).optOutPayloads(Set.of("optout")).build()).build();
        for (ConsentPurpose p : ConsentPurpose.values()) {
            outbox.consents().grant("org-1", CUSTOMER, Channel.WHATSAPP, p, "test", "test");
        }
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    void post(String typeAndBody) {
        String message = "{\"context\":{\"from\":\"15550001111\",\"id\":\"wamid.ctx\"},\"from\":\"33612345678\","
                + "\"id\":\"wamid.in-" + (++sequence) + "\",\"timestamp\":\"1749416383\"," + typeAndBody + "}";
        assertThat(handler.handle(Webhooks.signed(secret, Webhooks.envelope(Webhooks.entry("102290129340398",
                Webhooks.change(PHONE_ID, Webhooks.messages("33612345678", message)))))).status()).isEqualTo(200);
    }

    ConsentStatus status(ConsentPurpose p) {
        return outbox.consents().status("org-1", CUSTOMER, Channel.WHATSAPP, p);
    }

    @Test
    void aQuickReplyTitledCancelAndAListRowTitledStopNeverRevoke() {
        post("\"type\":\"button\",\"button\":{\"payload\":\"cancel-appointment\",\"text\":\"Cancel\"}");
        post("\"type\":\"interactive\",\"interactive\":{\"type\":\"button_reply\",\"button_reply\":"
                + "{\"id\":\"btn-cancel\",\"title\":\"Cancel\"}}");
        post("\"type\":\"interactive\",\"interactive\":{\"type\":\"list_reply\",\"list_reply\":"
                + "{\"id\":\"row-stop\",\"title\":\"STOP\",\"description\":\"Arrêter les rappels\"}}");
        assertThat(status(ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
        assertThat(status(ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.GRANTED);
    }

    @Test
    void aTypedStopAndADeclaredOptOutPayloadRevokeEveryPurpose() {
        post("\"type\":\"text\",\"text\":{\"body\":\"stop\"}");
        assertThat(status(ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.REVOKED);
        assertThat(status(ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.REVOKED);
        for (ConsentPurpose p : ConsentPurpose.values()) {
            outbox.consents().grant("org-1", CUSTOMER, Channel.WHATSAPP, p, "test", "test");
        }
        post("\"type\":\"button\",\"button\":{\"payload\":\"optout\",\"text\":\"Ne plus recevoir\"}");
        assertThat(status(ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.REVOKED);
        assertThat(status(ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.REVOKED);
    }
}

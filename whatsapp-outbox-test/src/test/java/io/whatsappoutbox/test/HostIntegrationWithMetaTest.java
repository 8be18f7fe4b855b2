package io.whatsappoutbox.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.meta.MetaCloudProvider;
import io.whatsappoutbox.meta.MetaWebhookHandler;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A host's integration tested as the docs show it: the outbox on the kit's database, the real
 * dispatcher and Meta provider pointed at the kit's Meta stub, the kit's signed receipts through
 * the real webhook handler. Each test its own recipient: the database serves the whole class.
 */
class HostIntegrationWithMetaTest {
    static final String ORG = "org-1";

    @RegisterExtension
    static OutboxTestKit kit = OutboxTestKit.builder().build();

    JdbcOutbox outbox;
    Dispatcher dispatcher;
    MetaWebhookHandler webhooks;

    @BeforeEach
    void start() {
        outbox = JdbcOutbox.builder().dataSource(kit.dataSource()).configCacheFor(Duration.ZERO)
                .encryptionKeys(EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key())).build();
        outbox.providerConfigs().save(kit.meta().providerConfig(ORG), "test");
        MetaCloudProvider meta = MetaCloudProvider.builder().accounts(outbox.providerConfigs())
                .baseUrl(kit.meta().baseUrl()).build();
        dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, meta)
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(2)).build())
                .pollInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(5)).build();
        dispatcher.start();
        webhooks = MetaWebhookHandler.builder().secrets(outbox.providerConfigs().webhookSecrets())
                .accounts(outbox.providerConfigs()).sink(dispatcher.webhooks()).build();
    }

    @AfterEach
    void stop() {
        dispatcher.close();
    }

    long enqueueReminder(String to, String key) {
        outbox.consents().grant(ORG, PhoneNumber.of(to), Channel.WHATSAPP, "test", "test");
        return outbox.enqueue(OutboundMessageRequest.whatsapp(ORG, to).template("appointment_reminder", "fr", "lundi")
                .idempotencyKey(key).build()).message().id();
    }

    @Test
    void aMessageIsSentOnceAndItsSignedDeliveredReceiptMakesItDelivered() {
        long id = enqueueReminder("+33612345601", "rdv-1");

        MetaSend send = kit.meta().awaitSendsTo("+33612345601", 1).get(0);
        assertThat(send.type()).isEqualTo("template");
        assertThat(send.templateName()).isEqualTo("appointment_reminder");
        assertThat(send.phoneNumberId()).isEqualTo(MetaStub.PHONE_NUMBER_ID);
        OutboundMessage sent = kit.awaitStatus(outbox, ORG, id, MessageStatus.SENT);
        assertThat(sent.providerMessageId()).isEqualTo(send.wamid());

        assertThat(webhooks.handle(kit.meta().delivered(send.wamid()).request()).status()).isEqualTo(200);
        kit.assertStatus(outbox, ORG, id, MessageStatus.DELIVERED);
        assertThat(webhooks.handle(kit.meta().read(send.wamid()).request()).status()).isEqualTo(200);
        kit.assertStatus(outbox, ORG, id, MessageStatus.READ);
        kit.meta().assertSendsTo("+33612345601", 1);
    }

    @Test
    void aTemporaryErrorIsRetriedUntilMetaAccepts() {
        kit.meta().failNext(MetaError.TEMPORARY, MetaError.TEMPORARY);
        long id = enqueueReminder("+33612345602", "rdv-2");

        OutboundMessage sent = kit.awaitStatus(outbox, ORG, id, MessageStatus.SENT);

        List<MetaSend> sends = kit.meta().sendsTo("+33612345602");
        assertThat(sends).extracting(MetaSend::accepted).containsExactly(false, false, true);
        assertThat(sent.providerMessageId()).isEqualTo(sends.get(2).wamid());
        assertThat(sent.attemptCount()).isEqualTo(3);
    }

    @Test
    void anUndeliverableAnswerDeadLettersTheMessageAfterOneSend() {
        kit.meta().failAll(MetaError.UNDELIVERABLE);
        long id = enqueueReminder("+33612345603", "rdv-3");

        OutboundMessage failed = kit.awaitStatus(outbox, ORG, id, MessageStatus.FAILED);

        assertThat(failed.lastError().code()).isEqualTo("131026");
        assertThat(failed.lastError().category()).isEqualTo(ErrorCategory.UNDELIVERABLE);
        kit.meta().assertSendsTo("+33612345603", 1);
        assertThatThrownBy(() -> kit.awaitStatus(outbox, ORG, id, MessageStatus.SENT))
                .isInstanceOf(AssertionError.class).hasMessageContaining("FAILED").hasMessageContaining("131026")
                .hasMessageNotContaining("timed out");
    }

    @Test
    void aFailedReceiptOutsideTheWindowDeadLettersASentMessage() {
        long id = enqueueReminder("+33612345604", "rdv-4");
        String wamid = kit.awaitStatus(outbox, ORG, id, MessageStatus.SENT).providerMessageId();

        assertThat(webhooks.handle(kit.meta().failed(wamid, MetaError.REENGAGEMENT).request()).status())
                .isEqualTo(200);

        OutboundMessage failed = kit.assertStatus(outbox, ORG, id, MessageStatus.FAILED);
        assertThat(failed.lastError().code()).isEqualTo("131047");
        assertThat(failed.lastError().category()).isEqualTo(ErrorCategory.SESSION_EXPIRED);
    }

    @Test
    void aTamperedReceiptIsRefusedAndChangesNothing() {
        long id = enqueueReminder("+33612345605", "rdv-5");
        String wamid = kit.awaitStatus(outbox, ORG, id, MessageStatus.SENT).providerMessageId();

        assertThat(webhooks.handle(kit.meta().delivered(wamid).tampered().request()).status()).isEqualTo(401);

        kit.assertStatus(outbox, ORG, id, MessageStatus.SENT);
    }
}

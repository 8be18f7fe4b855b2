package io.whatsappoutbox.test;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.meta.MetaCloudProvider;
import io.whatsappoutbox.meta.MetaWebhookHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The first test of docs/testing-your-integration.md, as printed there: if it breaks, so does the page. */
class FirstTestFromTheDocsTest {
    @RegisterExtension
    static OutboxTestKit kit = OutboxTestKit.builder().build();

    @Test
    void aReminderIsSentOnceAndItsReceiptMarksItDelivered() {
        JdbcOutbox outbox = JdbcOutbox.builder().dataSource(kit.dataSource())
                .encryptionKeys(EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key())).build();
        outbox.providerConfigs().save(kit.meta().providerConfig("org-1"), "test");
        MetaCloudProvider meta = MetaCloudProvider.builder().accounts(outbox.providerConfigs())
                .baseUrl(kit.meta().baseUrl()).build();
        try (Dispatcher dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, meta).build()) {
            dispatcher.start();
            outbox.consents().grant("org-1", PhoneNumber.of("+33612345678"), Channel.WHATSAPP, "booking", "test");
            long id = outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", "+33612345678")
                    .template("appointment_reminder", "fr").idempotencyKey("booking-42").build()).message().id();

            MetaSend send = kit.meta().awaitSendsTo("+33612345678", 1).get(0);
            kit.awaitStatus(outbox, "org-1", id, MessageStatus.SENT);
            MetaWebhookHandler.builder().secrets(outbox.providerConfigs().webhookSecrets())
                    .accounts(outbox.providerConfigs()).sink(dispatcher.webhooks()).build()
                    .handle(kit.meta().delivered(send.wamid()).request());
            kit.assertStatus(outbox, "org-1", id, MessageStatus.DELIVERED);
        }
    }
}

package io.whatsappoutbox.core;

import io.whatsappoutbox.core.store.SessionWindow;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Values that end up in log lines and exception messages by accident ({@code log.debug("{}", m)}, an
 * assertion's message): their {@code toString} names them without a body, a parameter or a full number.
 */
class ToStringShowsNoPersonalDataTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    static final String TO = "+33612345678";
    static final String BODY = "Votre resultat d'analyse est positif";

    @Test
    void aRequestAndAStoredMessageShowTheirTypeNotTheirContent() {
        OutboundMessageRequest text = OutboundMessageRequest.whatsapp("org-1", TO).text(BODY)
                .idempotencyKey("reminder-33612345678").dossierId("D-42").build();
        OutboundMessageRequest template = OutboundMessageRequest.whatsapp("org-1", TO)
                .template("appointment_reminder", "fr", "Jean Dupont", "lundi 10h").build();
        OutboundMessage stored = TestMessages.stored(7, text, MessageStatus.QUEUED, NOW);
        ClaimedMessage claimed = new ClaimedMessage(stored, "node-1", ConsentStatus.GRANTED, new SessionWindow(NOW),
                "100000000000001", null);
        for (Object o : List.of(text, template, stored, claimed)) {
            assertThat(o.toString()).as(o.getClass().getSimpleName()).doesNotContain(BODY).doesNotContain("Jean Dupont")
                    .doesNotContain("33612345678").contains("+336****5678").contains("org-1");
        }
        assertThat(text.toString()).contains("TEXT").contains("D-42");
        assertThat(template.toString()).contains("TEMPLATE").contains("appointment_reminder");
        assertThat(stored.toString()).contains("id=7").contains("QUEUED");
        assertThat(claimed.toString()).contains("node-1").contains("id=7");
    }

    @Test
    void receiptsAndInboundMessagesShowNeitherTextNorNumber() {
        DeliveryReceipt failed = new DeliveryReceipt(Channel.WHATSAPP, "wamid.X", DeliveryStatus.FAILED, NOW,
                new ProviderError("131026", 0, "Message undeliverable to " + TO, "recipient " + TO, null, null), "org-1");
        InboundMessage inbound = new InboundMessage("org-1", Channel.WHATSAPP, PhoneNumber.of(TO), "wamid.IN", "text",
                BODY, "button-yes", null, NOW);
        WebhookBatch batch = new WebhookBatch("meta", List.of(failed), List.of(inbound));
        for (Object o : List.of(failed, inbound, batch)) {
            assertThat(o.toString()).as(o.getClass().getSimpleName()).doesNotContain(BODY).doesNotContain("33612345678");
        }
        assertThat(failed.toString()).contains("wamid.X").contains("FAILED").contains("131026");
        assertThat(inbound.toString()).contains("wamid.IN").contains("+336****5678").doesNotContain("button-yes");
    }

    @Test
    void aWebhookRequestShowsNeitherItsHeadersValuesNorItsQueryNorItsBody() {
        WebhookRequest r = new WebhookRequest("GET", "https://host/webhooks/whatsapp?hub.verify_token=verify-token-xyz",
                Map.of("hub.verify_token", List.of("verify-token-xyz")),
                Map.of("X-Hub-Signature-256", List.of("sha256=" + "ab".repeat(32))), BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(r.toString()).doesNotContain("verify-token-xyz").doesNotContain("abab").doesNotContain(BODY)
                .contains("GET").contains("/webhooks/whatsapp").contains("X-Hub-Signature-256");
    }
}

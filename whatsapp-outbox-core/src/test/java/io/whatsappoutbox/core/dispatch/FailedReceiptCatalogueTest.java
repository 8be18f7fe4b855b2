package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.TestMessages;
import io.whatsappoutbox.core.store.WebhookDecisions.FailedReceiptAction;
import io.whatsappoutbox.core.store.WebhookStore;
import io.whatsappoutbox.core.testing.InMemoryStore;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** A failed receipt is read with the catalogue of the provider that sent the message, failover included. */
class FailedReceiptCatalogueTest {
    private static final Instant NOW = Instant.parse("2026-12-02T09:00:00Z");
    /** Meta calls 131026 undeliverable; this other vendor's code of the same name means "try again". */
    private static final ErrorCatalogue OTHER_VENDOR = ErrorCatalogue.builder("other-vendor")
            .put("131026", ErrorCategory.TEMPORARY, "queue full, try again").build();

    private final Map<String, FailedReceiptAction> decided = new ConcurrentHashMap<>();

    /** A store that asks the decisions about one failed receipt per provider named in the batch's source. */
    private WebhookStore store(OutboundMessage message) {
        return (batch, decisions, now) -> {
            for (DeliveryReceipt r : batch.receipts()) {
                decided.put(batch.source(), decisions.onFailedReceipt(message, r, batch.source(), now));
            }
            return new WebhookStore.Applied(WebhookResult.EMPTY, List.of(), List.of());
        };
    }

    private static WebhookBatch failedReceiptFrom(String provider) {
        return new WebhookBatch(provider, List.of(new DeliveryReceipt(Channel.WHATSAPP, "wamid.1", DeliveryStatus.FAILED, NOW,
                ProviderError.of("131026", 400, "undeliverable"))), List.of());
    }

    @Test
    void theFailoverProvidersOwnCatalogueDecidesItsReceipts() {
        OutboundMessage message = TestMessages.stored(1, OutboundMessageRequest.whatsapp("org-1", "+33612345678")
                .template("appointment_reminder", "fr", "lundi").build(), MessageStatus.SENT, NOW);
        ScriptedProvider primary = new ScriptedProvider("primary", ErrorCatalogue.meta());
        ScriptedProvider secondary = new ScriptedProvider("secondary", OTHER_VENDOR);
        Dispatcher d = Dispatcher.builder(new InMemoryStore(Clock.systemUTC()))
                .provider(Channel.WHATSAPP, primary, secondary).webhookStore(store(message)).build();
        try {
            d.webhooks().accept(failedReceiptFrom("primary"));
            d.webhooks().accept(failedReceiptFrom("secondary"));
            d.webhooks().accept(failedReceiptFrom("unknown-provider"));
        } finally {
            d.close();
        }

        assertThat(decided.get("primary").retry()).as("Meta: undeliverable").isFalse();
        assertThat(decided.get("secondary").retry()).as("the other vendor: temporary").isTrue();
        assertThat(decided.get("unknown-provider").retry()).as("the channel's catalogue").isFalse();
    }
}

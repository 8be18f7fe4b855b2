package io.whatsappoutbox.core.webhook;

import java.util.List;
import java.util.Objects;

/**
 * Everything one verified webhook call carries, fully parsed before anything is applied: it is
 * applied in one transaction, all or nothing.
 *
 * @param source who sent it ({@code meta}, {@code twilio})
 */
public record WebhookBatch(String source, List<DeliveryReceipt> receipts, List<InboundMessage> inbound) {
    public WebhookBatch {
        Objects.requireNonNull(source, "source");
        receipts = receipts == null ? List.of() : List.copyOf(receipts);
        inbound = inbound == null ? List.of() : List.copyOf(inbound);
    }

    public boolean isEmpty() {
        return receipts.isEmpty() && inbound.isEmpty();
    }
}

package io.whatsappoutbox.core.webhook;

import java.util.List;
import java.util.Objects;

/**
 * Everything one verified webhook call carries, fully parsed before anything is applied: it is
 * applied in one transaction, all or nothing.
 *
 * @param source who sent it ({@code meta}, {@code twilio})
 * @param events what it says about templates, numbers, the account and customers' preferences
 */
public record WebhookBatch(String source, List<DeliveryReceipt> receipts, List<InboundMessage> inbound,
        List<LifecycleEvent> events) {
    public WebhookBatch {
        Objects.requireNonNull(source, "source");
        receipts = receipts == null ? List.of() : List.copyOf(receipts);
        inbound = inbound == null ? List.of() : List.copyOf(inbound);
        events = events == null ? List.of() : List.copyOf(events);
    }

    public WebhookBatch(String source, List<DeliveryReceipt> receipts, List<InboundMessage> inbound) {
        this(source, receipts, inbound, List.of());
    }

    public boolean isEmpty() {
        return receipts.isEmpty() && inbound.isEmpty() && events.isEmpty();
    }
}

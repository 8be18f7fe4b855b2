package io.whatsappoutbox.core.store;

import java.util.List;

/**
 * What the store wrote for a batch of results.
 *
 * @param written results applied to their message
 * @param refused ids of messages whose lease was lost (recovered by another instance): their
 *     result was not applied, only their attempt row written
 * @param fallbacksCreated ids of the fallback messages created (one per parent, ever), by the
 *     results or by the receipts applied with them
 * @param receiptsApplied receipts that had arrived before the send's result and were applied in
 *     the same transaction as the result
 * @param deliveries messages those receipts took to DELIVERED (or READ), for the caller's metrics
 */
public record CompletionReport(int written, List<Long> refused, List<Long> fallbacksCreated, int receiptsApplied,
        List<WebhookStore.Delivery> deliveries) {
    public CompletionReport {
        refused = List.copyOf(refused);
        fallbacksCreated = List.copyOf(fallbacksCreated);
        deliveries = List.copyOf(deliveries);
    }
}

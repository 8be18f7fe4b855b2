package io.whatsappoutbox.core.spi;

import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import java.util.List;

/**
 * What the store wrote for a batch of results.
 *
 * @param written results applied to their message
 * @param refused ids of messages whose lease was lost (recovered by another instance): their
 *     result was not applied, only their attempt row written
 * @param fallbacksCreated ids of the fallback messages created (one per parent, ever)
 * @param pendingReceipts receipts that had arrived before the send's result was written: the
 *     caller applies them now, through the webhook path, like any receipt
 */
public record CompletionReport(int written, List<Long> refused, List<Long> fallbacksCreated,
        List<DeliveryReceipt> pendingReceipts) {
    public CompletionReport {
        refused = List.copyOf(refused);
        fallbacksCreated = List.copyOf(fallbacksCreated);
        pendingReceipts = List.copyOf(pendingReceipts);
    }
}

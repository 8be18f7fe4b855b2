package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import io.whatsappoutbox.core.webhook.WebhookSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every batch it is given, so a test can check the handler's contract with the sink. */
final class RecordingSink implements WebhookSink {
    final List<WebhookBatch> batches = new CopyOnWriteArrayList<>();

    @Override
    public WebhookResult accept(WebhookBatch batch) {
        batches.add(batch);
        return new WebhookResult(batch.receipts().size() + batch.inbound().size() + batch.events().size(), 0, 0, 0);
    }

    WebhookBatch only() {
        if (batches.size() != 1) {
            throw new AssertionError("expected exactly one batch, got " + batches.size());
        }
        return batches.get(0);
    }

    List<DeliveryReceipt> receipts() {
        return only().receipts();
    }

    List<InboundMessage> inbound() {
        return only().inbound();
    }
}

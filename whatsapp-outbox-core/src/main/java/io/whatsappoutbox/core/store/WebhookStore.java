package io.whatsappoutbox.core.store;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import java.time.Instant;
import java.util.List;

/** Applies verified webhook batches. */
public interface WebhookStore {

    /**
     * Applies a batch in one transaction: items seen before are skipped; receipts move messages
     * forward only; failed receipts are decided by {@code decisions}; a receipt for a provider id
     * not known yet is kept until the send's result is written; inbound messages are stored, open
     * the session window, and revoke consent when they opt out.
     */
    Applied apply(WebhookBatch batch, WebhookDecisions decisions, Instant now);

    /**
     * Forgets what deduplication no longer needs: event keys and receipts still waiting for their
     * message that are older than the store's dedup window (a provider redelivers within it), in
     * small batches so that no statement holds many rows. Run by the dispatcher's maintenance.
     *
     * @return the rows removed
     */
    default int pruneExpired(Instant now) {
        return 0;
    }

    /**
     * Applies the receipts still waiting for a message that has been written since: a receipt kept
     * while the send's result committed beside it, in a transaction that could not see it, would
     * otherwise wait until it is pruned. Run by the dispatcher's maintenance.
     *
     * @return the waiting receipts applied, and the deliveries they made
     */
    default Applied applyWaitingReceipts(WebhookDecisions decisions, Instant now) {
        return new Applied(WebhookResult.EMPTY, List.of(), List.of());
    }

    /** The result, with what the caller needs for its metrics. */
    record Applied(WebhookResult result, List<Delivery> deliveries, List<Long> fallbacksCreated) {
        public Applied {
            deliveries = List.copyOf(deliveries);
            fallbacksCreated = List.copyOf(fallbacksCreated);
        }
    }

    /** A message that reached DELIVERED (or READ without a delivered receipt) in this batch. */
    record Delivery(long messageId, Channel channel, Instant createdAt, Instant deliveredAt) {}
}

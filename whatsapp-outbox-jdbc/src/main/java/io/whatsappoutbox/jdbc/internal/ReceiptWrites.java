package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.internal.ReceiptReconciliation;
import io.whatsappoutbox.core.internal.ReceiptReconciliation.Change;
import io.whatsappoutbox.core.internal.ReceiptReconciliation.Known;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.store.WebhookStore.Delivery;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.DeliveryReceipt.Pricing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL side of receipt reconciliation, in the caller's transaction: locks the messages receipts
 * name, records event keys, writes what {@link ReceiptReconciliation} decided and keeps the
 * receipts that came before their message's provider id. Used by the webhook store for webhook
 * batches and by the completion for the receipts that beat their send's result, so that both
 * apply receipts alike. Internal.
 */
final class ReceiptWrites {
    private static final Logger log = LoggerFactory.getLogger(ReceiptWrites.class);
    /** What {@code WebhookBatch.source()} the receipts applied with a result count as. */
    static final String WAITING_SOURCE = "pending";

    private final MessageRows rows;
    private final EnqueueWriter enqueue;

    ReceiptWrites(MessageRows rows, EnqueueWriter enqueue) {
        this.rows = rows;
        this.enqueue = enqueue;
    }

    /**
     * The locked messages by {@link ReceiptReconciliation#key}, and the rows named that this
     * version cannot read.
     */
    record Locked(Map<String, Known> byKey, Map<String, UnreadableRowException> unreadable) {}

    /** What the receipts applied with a result did. */
    record Waiting(int applied, List<Delivery> deliveries, List<Long> fallbacksCreated) {
        static final Waiting NONE = new Waiting(0, List.of(), List.of());
    }

    /** Locks the messages the receipts name, by channel and provider id. */
    Locked lock(Handle h, List<DeliveryReceipt> receipts) {
        Map<String, Known> byKey = new HashMap<>();
        Map<String, UnreadableRowException> unreadable = new HashMap<>();
        if (receipts.isEmpty()) {
            return new Locked(byKey, unreadable);
        }
        h.createQuery(WebhookSql.LOCK_BY_PROVIDER_ID)
                .bindArray("channels", String.class, receipts.stream().map(r -> r.channel().name()).toList())
                .bindArray("pids", String.class, receipts.stream().map(DeliveryReceipt::providerMessageId).toList())
                .map((rs, ctx) -> {
                    try {
                        return new Known(rows.map(rs), rs.getString("provider"));
                    } catch (UnreadableRowException e) {
                        unreadable.put(rs.getString("channel") + ":" + rs.getString("provider_message_id"), e);
                        return null;
                    }
                })
                .forEach(k -> {
                    if (k != null) {
                        byKey.put(ReceiptReconciliation.key(k.message().channel(), k.message().providerMessageId()), k);
                    }
                });
        return new Locked(byKey, unreadable);
    }

    /** The receipts whose message can be read; the others are logged and counted out. */
    static List<DeliveryReceipt> readable(List<DeliveryReceipt> receipts, Locked locked) {
        List<DeliveryReceipt> readable = new ArrayList<>(receipts.size());
        for (DeliveryReceipt r : receipts) {
            UnreadableRowException bad = locked.unreadable().get(ReceiptReconciliation.key(r));
            if (bad == null) {
                readable.add(r);
                continue;
            }
            // a row this version cannot read is not changed by a receipt either: the claim
            // dead-letters it, an operator fixes it; the webhook still answers 200
            log.warn("Ignored a {} receipt for message {}: {} {}", r.status(), bad.id(),
                    OutboxErrorCodes.UNREADABLE_ROW, bad.reason());
        }
        return readable;
    }

    /** Records the event keys; returns those not seen before. */
    static Set<String> dedupe(Handle h, List<String> keys, Instant now) {
        if (keys.isEmpty()) {
            return new HashSet<>();
        }
        return new HashSet<>(h.createQuery(WebhookSql.DEDUPE)
                .bindArray("keys", String.class, keys)
                .bind("now", now)
                .mapTo(String.class)
                .list());
    }

    /**
     * Writes what the receipts decided: forward moves, failures with their attempt rows, opt-outs
     * and fallbacks.
     *
     * @param source the batch's source, the provider of a failed receipt's attempt row when the
     *     message does not name one
     * @return the ids of the fallbacks created
     */
    List<Long> write(Handle h, ReceiptReconciliation.Result result, String source, Instant now) {
        List<Change> advanced = result.advanced();
        List<Change> failed = result.failed();
        if (!advanced.isEmpty()) {
            h.createUpdate(WebhookSql.ADVANCE)
                    .bindArray("ids", Long.class, advanced.stream().map(c -> c.message().id()).toList())
                    .bindArray("statuses", String.class, advanced.stream().map(c -> c.status().name()).toList())
                    .bindArray("deliveredAt", String.class, advanced.stream().map(c -> Times.iso(c.deliveredAt())).toList())
                    .bindArray("readAt", String.class, advanced.stream().map(c -> Times.iso(c.readAt())).toList())
                    .bind("now", now)
                    .execute();
        }
        if (failed.isEmpty()) {
            return List.of();
        }
        h.createUpdate(WebhookSql.FAIL_OR_RETRY)
                .bindArray("ids", Long.class, failed.stream().map(c -> c.message().id()).toList())
                .bindArray("statuses", String.class, failed.stream().map(c -> c.status().name()).toList())
                .bindArray("nextAt", String.class, failed.stream().map(c -> Times.iso(c.failure().nextAttemptAt())).toList())
                .bindArray("codes", String.class, failed.stream().map(c -> c.failure().error().code()).toList())
                .bindArray("messages", String.class, failed.stream().map(c -> c.failure().error().message()).toList())
                .bindArray("categories", String.class,
                        failed.stream().map(c -> c.failure().error().category().name()).toList())
                .bind("now", now)
                .execute();
        AttemptRows.insert(h, failed.stream().map(c -> new AttemptRows.Row(c.message().id(), c.message().orgId(),
                c.message().attemptCount(), (c.known().provider() == null ? source : c.known().provider()) + ":receipt",
                c.failure().retry() ? Outcome.RETRY : Outcome.DEAD_LETTER, c.failure().error(), 0,
                c.message().providerMessageId(), null, now, 0, c.failure().nextAttemptAt())).toList());
        JdbcConsents.revokeAll(h, failed.stream().filter(c -> c.failure().revokeConsent())
                .flatMap(c -> JdbcConsents.Key.revoked(c.message(), c.failure().revokedPurpose()).stream()).toList(),
                "provider opt-out receipt", now);
        List<OutboundMessageRequest> toCreate = failed.stream()
                .filter(c -> c.failure().fallback() != null).map(c -> c.failure().fallback()).toList();
        if (toCreate.isEmpty()) {
            return List.of();
        }
        return enqueue.enqueueUnchecked(h.getConnection(), toCreate).stream()
                .filter(e -> e.created()).map(e -> e.message().id()).toList();
    }

    private static <T> T pricing(DeliveryReceipt r, Function<Pricing, T> part) {
        return r.pricing() == null ? null : part.apply(r.pricing());
    }

    /**
     * Puts the pricing of fresh receipts whose message is known on that message's latest attempt
     * row. Run before {@link #write}, which adds the row of a failed receipt.
     */
    static void recordPricing(Handle h, List<DeliveryReceipt> fresh, Locked locked) {
        List<Long> ids = new ArrayList<>();
        List<Pricing> pricings = new ArrayList<>();
        for (DeliveryReceipt r : fresh) {
            Known k = locked.byKey().get(ReceiptReconciliation.key(r));
            if (r.pricing() != null && k != null && (r.orgId() == null || r.orgId().equals(k.message().orgId()))) {
                ids.add(k.message().id());
                pricings.add(r.pricing());
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        h.createUpdate(WebhookSql.RECORD_PRICING)
                .bindArray("ids", Long.class, ids)
                .bindArray("pcats", String.class, pricings.stream().map(Pricing::category).toList())
                .bindArray("pmodels", String.class, pricings.stream().map(Pricing::pricingModel).toList())
                .bindArray("billables", Boolean.class, pricings.stream().map(Pricing::billable).toList())
                .bindArray("convs", String.class, pricings.stream().map(Pricing::conversationId).toList())
                .bindArray("origins", String.class, pricings.stream().map(Pricing::conversationOrigin).toList())
                .execute();
    }

    /** Receipts for ids not written yet wait; their event keys are forgotten so they apply once, later. */
    static void keepPending(Handle h, List<DeliveryReceipt> unknown, Instant now) {
        if (unknown.isEmpty()) {
            return;
        }
        h.createUpdate(WebhookSql.KEEP_PENDING)
                .bindArray("pids", String.class, unknown.stream().map(DeliveryReceipt::providerMessageId).toList())
                .bindArray("channels", String.class, unknown.stream().map(r -> r.channel().name()).toList())
                .bindArray("orgs", String.class, unknown.stream().map(DeliveryReceipt::orgId).toList())
                .bindArray("statuses", String.class, unknown.stream().map(r -> r.status().name()).toList())
                .bindArray("occurredAt", String.class, unknown.stream().map(r -> Times.iso(r.occurredAt())).toList())
                .bindArray("codes", String.class, unknown.stream().map(r -> r.error() == null ? null : r.error().code()).toList())
                .bindArray("messages", String.class,
                        unknown.stream().map(r -> r.error() == null ? null : r.error().message()).toList())
                .bindArray("details", String.class,
                        unknown.stream().map(r -> r.error() == null ? null : r.error().details()).toList())
                .bindArray("pcats", String.class, unknown.stream().map(r -> pricing(r, Pricing::category)).toList())
                .bindArray("pmodels", String.class, unknown.stream().map(r -> pricing(r, Pricing::pricingModel)).toList())
                .bindArray("billables", Boolean.class, unknown.stream().map(r -> pricing(r, Pricing::billable)).toList())
                .bindArray("convs", String.class, unknown.stream().map(r -> pricing(r, Pricing::conversationId)).toList())
                .bindArray("origins", String.class,
                        unknown.stream().map(r -> pricing(r, Pricing::conversationOrigin)).toList())
                .bind("now", now)
                .execute();
        h.createUpdate(WebhookSql.FORGET_EVENTS)
                .bindArray("keys", String.class, unknown.stream().map(DeliveryReceipt::dedupeKey).toList())
                .execute();
    }

    /**
     * Applies the receipts that waited in {@code pending_receipt} for the messages the caller has
     * just made SENT (and taken out of it), in the caller's transaction: as a webhook batch of them
     * would be, so that a failure anywhere rolls back the result with them and they wait on.
     */
    Waiting applyWaiting(Handle h, List<DeliveryReceipt> waiting, WebhookDecisions decisions, Instant now) {
        if (waiting.isEmpty()) {
            return Waiting.NONE;
        }
        Locked locked = lock(h, waiting);
        ReceiptReconciliation reconciliation = new ReceiptReconciliation(locked.byKey(), decisions, now);
        List<DeliveryReceipt> candidates = reconciliation.forTheirOrgs(readable(waiting, locked));
        Set<String> fresh = dedupe(h, candidates.stream().map(DeliveryReceipt::dedupeKey).toList(), now);
        List<DeliveryReceipt> receipts = candidates.stream().filter(r -> fresh.remove(r.dedupeKey())).toList();
        recordPricing(h, receipts, locked);
        ReceiptReconciliation.Result result = reconciliation.reconcile(receipts);
        List<Long> fallbacks = write(h, result, WAITING_SOURCE, now);
        keepPending(h, result.unknown(), now);
        return new Waiting(result.applied(), result.deliveries(), fallbacks);
    }
}

package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.internal.DeliveryDecisions;
import io.whatsappoutbox.core.internal.ReceiptReconciliation;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.store.WebhookStore;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Applies webhook batches in one transaction each: deduplication, forward-only receipts, failed
 * receipts through the core's decision, pending receipts (the receipt writes are
 * {@link ReceiptWrites}, shared with the completion), inbound messages, session windows and
 * opt-outs. Internal.
 */
public final class JdbcWebhookStore implements WebhookStore {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JdbcWebhookStore.class);
    /** Rows one pruning statement removes: a short statement, few locks. */
    static final int PRUNE_BATCH = 1_000;
    /** Statements per table and maintenance run: a backlog drains over a few runs, a claim thread is not held. */
    static final int PRUNE_BATCHES_PER_RUN = 20;
    private final Jdbi jdbi;
    private final ReceiptWrites receipts;
    private final Duration dedupWindow;

    public JdbcWebhookStore(Jdbi jdbi, MessageRows rows, EnqueueWriter enqueue, Duration dedupWindow) {
        this.jdbi = jdbi;
        this.receipts = new ReceiptWrites(rows, enqueue);
        this.dedupWindow = dedupWindow;
    }

    @Override
    public Applied applyWaitingReceipts(WebhookDecisions decisions, Instant now) {
        return jdbi.inTransaction(h -> {
            List<DeliveryReceipt> overdue = h.createQuery(WebhookSql.TAKE_OVERDUE_PENDING)
                    .bind("limit", PRUNE_BATCH)
                    .map((rs, ctx) -> PendingReceipts.fromRow(rs))
                    .list();
            if (overdue.isEmpty()) {
                return new Applied(WebhookResult.EMPTY, List.of(), List.of());
            }
            ReceiptWrites.Waiting w = receipts.applyWaiting(h, overdue, decisions, now);
            log.info("Applied {} of {} receipt(s) that waited for a message written since", w.applied(), overdue.size());
            return new Applied(new WebhookResult(w.applied(), 0, overdue.size() - w.applied(), 0), w.deliveries(),
                    w.fallbacksCreated());
        });
    }

    @Override
    public int pruneExpired(Instant now) {
        Instant before = now.minus(dedupWindow);
        return prune(WebhookSql.PRUNE_EVENTS, before) + prune(WebhookSql.PRUNE_PENDING, before);
    }

    private int prune(String sql, Instant before) {
        int removed = 0;
        for (int i = 0; i < PRUNE_BATCHES_PER_RUN; i++) {
            int n = jdbi.withHandle(h -> h.createUpdate(sql).bind("before", before).bind("limit", PRUNE_BATCH).execute());
            removed += n;
            if (n < PRUNE_BATCH) {
                break;
            }
        }
        return removed;
    }

    @Override
    public Applied apply(WebhookBatch batch, WebhookDecisions decisions, Instant now) {
        if (batch.isEmpty()) {
            return new Applied(WebhookResult.EMPTY, List.of(), List.of());
        }
        return jdbi.inTransaction(h -> new Run(h, batch, decisions, now).execute());
    }

    /** One batch's application: the state it builds up along the way. */
    private final class Run {
        private final Handle h;
        private final WebhookBatch batch;
        private final WebhookDecisions decisions;
        private final Instant now;
        private int applied;
        private int duplicates;

        Run(Handle h, WebhookBatch batch, WebhookDecisions decisions, Instant now) {
            this.h = h;
            this.batch = batch;
            this.decisions = decisions;
            this.now = now;
        }

        Applied execute() {
            ReceiptWrites.Locked locked = receipts.lock(h, batch.receipts());
            ReceiptReconciliation reconciliation = new ReceiptReconciliation(locked.byKey(), decisions, now);
            List<DeliveryReceipt> readable = ReceiptWrites.readable(batch.receipts(), locked);
            int unreadableIgnored = batch.receipts().size() - readable.size();
            List<DeliveryReceipt> candidates = reconciliation.forTheirOrgs(readable);
            List<String> keys = new ArrayList<>();
            candidates.forEach(r -> keys.add(r.dedupeKey()));
            batch.inbound().forEach(m -> keys.add(m.dedupeKey()));
            batch.events().forEach(e -> keys.add(e.dedupeKey()));
            Set<String> fresh = ReceiptWrites.dedupe(h, keys, now);
            List<DeliveryReceipt> receiptsToApply = new ArrayList<>();
            for (DeliveryReceipt r : candidates) {
                if (fresh.remove(r.dedupeKey())) {
                    receiptsToApply.add(r);
                } else {
                    duplicates++;
                }
            }
            List<InboundMessage> inbound = new ArrayList<>();
            for (InboundMessage m : batch.inbound()) {
                if (fresh.remove(m.dedupeKey())) {
                    inbound.add(m);
                } else {
                    duplicates++;
                }
            }
            List<LifecycleEvent> events = new ArrayList<>();
            for (LifecycleEvent e : batch.events()) {
                if (fresh.remove(e.dedupeKey())) {
                    events.add(e);
                } else {
                    duplicates++;
                }
            }
            ReceiptWrites.recordPricing(h, receiptsToApply, locked);
            ReceiptReconciliation.Result result = reconciliation.reconcile(receiptsToApply);
            List<Long> fallbacks = receipts.write(h, result, batch.source(), now);
            ReceiptWrites.keepPending(h, result.unknown(), now);
            applyInbound(inbound);
            // each fresh event counts once, whatever it changed: held messages, the registry, consents
            Map<LifecycleEvent, Map<String, Object>> effects = LifecycleWrites.apply(h, events, now);
            TemplateRegistryWrites.apply(h, events, effects, now);
            MarketingPreferences.apply(h, events, now);
            applied += events.size();
            return new Applied(new WebhookResult(applied + result.applied(), duplicates, result.ignored() + unreadableIgnored,
                    result.unknown().size()), result.deliveries(), fallbacks);
        }

        private void applyInbound(List<InboundMessage> inbound) {
            if (inbound.isEmpty()) {
                return;
            }
            h.createUpdate(WebhookSql.INSERT_INBOUND)
                    .bindArray("orgs", String.class, inbound.stream().map(InboundMessage::orgId).toList())
                    .bindArray("channels", String.class, inbound.stream().map(m -> m.channel().name()).toList())
                    .bindArray("froms", String.class, inbound.stream().map(m -> m.from().value()).toList())
                    .bindArray("pids", String.class, inbound.stream().map(InboundMessage::providerMessageId).toList())
                    .bindArray("types", String.class, inbound.stream().map(InboundMessage::type).toList())
                    .bindArray("bodies", String.class, inbound.stream().map(InboundMessage::text).toList())
                    .bindArray("payloads", String.class, inbound.stream().map(InboundMessage::payload).toList())
                    .bindArray("contexts", String.class, inbound.stream().map(InboundMessage::contextMessageId).toList())
                    .bindArray("receivedAt", String.class, inbound.stream().map(m -> Times.iso(m.receivedAt())).toList())
                    .bindArray("profileNames", String.class, inbound.stream().map(m -> m.details().profileName()).toList())
                    .bindArray("details", String.class,
                            inbound.stream().map(m -> InboundDetailsJson.of(m.details())).toList())
                    .bind("now", now)
                    .execute();
            applied += inbound.size();
            Map<JdbcConsents.Key, Instant> windows = new LinkedHashMap<>();
            for (InboundMessage m : inbound) {
                if (m.opensServiceWindow()) {
                    windows.merge(new JdbcConsents.Key(m.orgId(), m.from().value(), m.channel(), null), m.receivedAt(),
                            (a, b) -> a.isAfter(b) ? a : b);
                }
            }
            if (!windows.isEmpty()) {
                h.createUpdate(WebhookSql.OPEN_WINDOWS)
                        .bindArray("orgs", String.class, windows.keySet().stream().map(JdbcConsents.Key::orgId).toList())
                        .bindArray("phones", String.class, windows.keySet().stream().map(JdbcConsents.Key::phone).toList())
                        .bindArray("lastAt", String.class, windows.values().stream().map(Times::iso).toList())
                        .bind("now", now)
                        .execute();
            }
            // a typed opt-out (or a declared opt-out reply) revokes every purpose on its channel
            JdbcConsents.revokeAll(h, inbound.stream().filter(decisions::isOptOut)
                    .flatMap(m -> JdbcConsents.Key.everyPurpose(m.orgId(), m.from().value(), m.channel()).stream())
                    .toList(), "opt-out keyword", now);
            // an SMS START grants the transactional consent back, never a marketing one it did not have
            for (InboundMessage m : inbound) {
                if (!decisions.isOptOut(m) && decisions.isOptIn(m)) {
                    JdbcConsents.recordAll(h, List.of(new JdbcConsents.Key(m.orgId(), m.from().value(), m.channel(),
                                    ConsentPurpose.TRANSACTIONAL)), ConsentStatus.GRANTED,
                            "opt-in keyword " + DeliveryDecisions.normalize(m.text()), now);
                }
            }
        }
    }

}

package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.internal.ReceiptReconciliation;
import io.whatsappoutbox.core.internal.ReceiptReconciliation.Change;
import io.whatsappoutbox.core.internal.ReceiptReconciliation.Known;
import io.whatsappoutbox.core.spi.WebhookDecisions;
import io.whatsappoutbox.core.spi.WebhookStore;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Applies webhook batches in one transaction each: deduplication, forward-only receipts, failed
 * receipts through the core's decision, pending receipts, inbound messages, session windows and
 * opt-outs. Internal.
 */
public final class JdbcWebhookStore implements WebhookStore {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JdbcWebhookStore.class);
    /** Rows one pruning statement removes: a short statement, few locks. */
    static final int PRUNE_BATCH = 1_000;
    /** Statements per table and maintenance run: a backlog drains over a few runs, a claim thread is not held. */
    static final int PRUNE_BATCHES_PER_RUN = 20;
    private final Jdbi jdbi;
    private final MessageRows rows;
    private final EnqueueWriter enqueue;
    private final Duration dedupWindow;

    public JdbcWebhookStore(Jdbi jdbi, MessageRows rows, EnqueueWriter enqueue, Duration dedupWindow) {
        this.jdbi = jdbi;
        this.rows = rows;
        this.enqueue = enqueue;
        this.dedupWindow = dedupWindow;
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
        private int unreadableIgnored;
        private final List<Long> fallbacks = new ArrayList<>();
        /** Rows named by a receipt that this version cannot read, by {@link ReceiptReconciliation#key}. */
        private final Map<String, UnreadableRowException> unreadable = new HashMap<>();

        Run(Handle h, WebhookBatch batch, WebhookDecisions decisions, Instant now) {
            this.h = h;
            this.batch = batch;
            this.decisions = decisions;
            this.now = now;
        }

        Applied execute() {
            ReceiptReconciliation reconciliation = new ReceiptReconciliation(lockMessages(), decisions, now);
            List<DeliveryReceipt> readable = new ArrayList<>(batch.receipts().size());
            for (DeliveryReceipt r : batch.receipts()) {
                UnreadableRowException bad = unreadable.get(ReceiptReconciliation.key(r));
                if (bad == null) {
                    readable.add(r);
                    continue;
                }
                // a row this version cannot read is not changed by a receipt either: the claim
                // dead-letters it, an operator fixes it; the webhook still answers 200
                log.warn("Ignored a {} receipt for message {}: {} {}", r.status(), bad.id(),
                        OutboxErrorCodes.UNREADABLE_ROW, bad.reason());
                unreadableIgnored++;
            }
            List<DeliveryReceipt> candidates = reconciliation.forTheirOrgs(readable);
            Set<String> fresh = dedupe(candidates);
            List<DeliveryReceipt> receipts = new ArrayList<>();
            for (DeliveryReceipt r : candidates) {
                if (fresh.remove(r.dedupeKey())) {
                    receipts.add(r);
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
            ReceiptReconciliation.Result result = reconciliation.reconcile(receipts);
            write(result);
            keepPending(result.unknown());
            applyInbound(inbound);
            return new Applied(new WebhookResult(applied + result.applied(), duplicates, result.ignored() + unreadableIgnored,
                    result.unknown().size()), result.deliveries(), fallbacks);
        }

        private Set<String> dedupe(List<DeliveryReceipt> receipts) {
            List<String> keys = new ArrayList<>();
            receipts.forEach(r -> keys.add(r.dedupeKey()));
            batch.inbound().forEach(m -> keys.add(m.dedupeKey()));
            if (keys.isEmpty()) {
                return new HashSet<>();
            }
            return new HashSet<>(h.createQuery(WebhookSql.DEDUPE)
                    .bindArray("keys", String.class, keys)
                    .bind("now", now)
                    .mapTo(String.class)
                    .list());
        }

        /** Locks the messages the receipts name, by channel and provider id. */
        private Map<String, Known> lockMessages() {
            Map<String, Known> byKey = new HashMap<>();
            if (batch.receipts().isEmpty()) {
                return byKey;
            }
            h.createQuery(WebhookSql.LOCK_BY_PROVIDER_ID)
                    .bindArray("channels", String.class, batch.receipts().stream().map(r -> r.channel().name()).toList())
                    .bindArray("pids", String.class, batch.receipts().stream().map(DeliveryReceipt::providerMessageId).toList())
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
            return byKey;
        }

        private void write(ReceiptReconciliation.Result result) {
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
                return;
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
            h.createUpdate(DispatchSql.INSERT_ATTEMPTS)
                    .bindArray("messageIds", Long.class, failed.stream().map(c -> c.message().id()).toList())
                    .bindArray("orgs", String.class, failed.stream().map(c -> c.message().orgId()).toList())
                    .bindArray("attemptNumbers", Integer.class, failed.stream().map(c -> c.message().attemptCount()).toList())
                    .bindArray("providers", String.class, failed.stream()
                            .map(c -> (c.known().provider() == null ? batch.source() : c.known().provider()) + ":receipt").toList())
                    .bindArray("outcomes", String.class,
                            failed.stream().map(c -> c.failure().retry() ? "RETRY" : "DEAD_LETTER").toList())
                    .bindArray("codes", String.class, failed.stream().map(c -> c.failure().error().code()).toList())
                    .bindArray("messages", String.class, failed.stream().map(c -> c.failure().error().message()).toList())
                    .bindArray("categories", String.class,
                            failed.stream().map(c -> c.failure().error().category().name()).toList())
                    .bindArray("httpStatuses", Integer.class, failed.stream().map(c -> (Integer) null).toList())
                    .bindArray("pids", String.class, failed.stream().map(c -> c.message().providerMessageId()).toList())
                    .bindArray("owners", String.class, failed.stream().map(c -> (String) null).toList())
                    .bindArray("startedAt", String.class, failed.stream().map(c -> Times.iso(now)).toList())
                    .bindArray("durations", Integer.class, failed.stream().map(c -> 0).toList())
                    .bindArray("nextAt", String.class, failed.stream().map(c -> Times.iso(c.failure().nextAttemptAt())).toList())
                    .execute();
            JdbcConsents.revokeAll(h, failed.stream().filter(c -> c.failure().revokeConsent())
                    .map(c -> JdbcConsents.Key.of(c.message())).toList(), "provider opt-out receipt", now);
            List<OutboundMessageRequest> toCreate = failed.stream()
                    .filter(c -> c.failure().fallback() != null).map(c -> c.failure().fallback()).toList();
            if (!toCreate.isEmpty()) {
                enqueue.enqueueUnchecked(h.getConnection(), toCreate).stream()
                        .filter(e -> e.created()).forEach(e -> fallbacks.add(e.message().id()));
            }
        }

        /** Receipts for ids not written yet wait; their event keys are forgotten so they apply once, later. */
        private void keepPending(List<DeliveryReceipt> unknown) {
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
                    .bind("now", now)
                    .execute();
            h.createUpdate(WebhookSql.FORGET_EVENTS)
                    .bindArray("keys", String.class, unknown.stream().map(DeliveryReceipt::dedupeKey).toList())
                    .execute();
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
                    .bind("now", now)
                    .execute();
            applied += inbound.size();
            Map<JdbcConsents.Key, Instant> windows = new LinkedHashMap<>();
            for (InboundMessage m : inbound) {
                if (m.channel() == Channel.WHATSAPP) {
                    windows.merge(new JdbcConsents.Key(m.orgId(), m.from().value(), m.channel()), m.receivedAt(),
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
            JdbcConsents.revokeAll(h, inbound.stream().filter(decisions::isOptOut)
                    .map(m -> new JdbcConsents.Key(m.orgId(), m.from().value(), m.channel())).toList(),
                    "opt-out keyword", now);
        }
    }

}

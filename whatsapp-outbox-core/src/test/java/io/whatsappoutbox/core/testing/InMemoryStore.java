package io.whatsappoutbox.core.testing;

import io.whatsappoutbox.core.Attempt;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.internal.MessageStateMachine;
import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.SendingHours;
import io.whatsappoutbox.core.store.SendingHolds;
import io.whatsappoutbox.core.store.SessionWindow;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimShare;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.CompletionReport;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.QueueSnapshot;
import io.whatsappoutbox.core.internal.ReceiptReconciliation;
import io.whatsappoutbox.core.internal.ReceiptReconciliation.Known;
import io.whatsappoutbox.core.store.QuotaGrant;
import io.whatsappoutbox.core.store.ResultsRefusedException;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.store.WebhookDecisions.FailedReceiptAction;
import io.whatsappoutbox.core.store.WebhookStore;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A {@link DispatchStore} and {@link WebhookStore} held in memory, for tests of the engine without PostgreSQL. It keeps the
 * store's contract, not its SQL: moves go through {@link MessageStateMachine}, a result is written
 * only under the lease it was claimed with, a deferral gives its attempt back, fallbacks are created
 * once per parent, quotas and throttles skip a lane, expired leases go back to the queue or to the
 * dead letter. Claims are fair between lanes (an org on a channel): each due lane gets its share of a
 * batch before any lane gets more; inside a lane HIGH goes before NORMAL before LOW, and a message
 * with an ordering key waits while an earlier one of its org and key is queued or being sent.
 *
 * <p>Every method is synchronized: one lock stands for the database's row locks, which is enough for
 * the engine's tests, not a model of concurrency between instances. Hooks let a test fail a
 * completion ({@link #failCompletionsWhile}) to see what the engine does with an unwritable batch.
 */
public final class InMemoryStore implements DispatchStore, WebhookStore {

    /** One write of a batch of results, as the store saw it. */
    public record Completion(List<AttemptResult> results, Instant at) {
        public Completion {
            results = List.copyOf(results);
        }
    }

    /** An attempt row: every result that says so gets one, even when its lease was lost. */
    public record AttemptRow(long messageId, int attemptNumber, String provider, Attempt.Outcome outcome,
            ErrorInfo error, String leaseOwner, boolean applied) {}

    private final Map<Long, Row> rows = new LinkedHashMap<>();
    private final Map<String, ConsentStatus> consents = new HashMap<>();
    private final Map<String, Instant> windows = new HashMap<>();
    private final Map<String, Quota> quotas = new HashMap<>();
    private final Map<String, Instant> throttles = new HashMap<>();
    private final Map<String, DeliveryReceipt> pendingReceipts = new HashMap<>();
    private final Map<Long, Long> fallbackByParent = new HashMap<>();
    private final Map<String, String> senderByOrg = new HashMap<>();
    private final List<AttemptRow> attempts = new ArrayList<>();
    private final List<Completion> completions = new ArrayList<>();
    private final List<Integer> claimSizes = new ArrayList<>();
    private final Set<String> seenEvents = new HashSet<>();
    private final List<InboundMessage> inbound = new ArrayList<>();
    private Predicate<List<AttemptResult>> failCompletion = results -> false;
    private Predicate<List<AttemptResult>> refuseCompletion = results -> false;
    private final Clock clock;
    private long nextId = 1;

    /** A store whose fallbacks are stamped by {@code clock} (the dispatcher's, in a test). */
    public InMemoryStore(Clock clock) {
        this.clock = clock;
    }

    private static final class Row {
        OutboundMessage message;
        String provider;
        String leaseOwner;
        Instant leaseUntil;

        Row(OutboundMessage message) {
            this.message = message;
        }
    }

    private record Quota(int limit, Duration period, int used, Instant resetAt) {}

    private final Map<String, SendingHours> sendingHours = new HashMap<>();

    // ---- what a test sets up

    /** Makes {@code orgId} send only within {@code hours} (null: at any hour), read at the next maintenance run. */
    public synchronized void sendingHours(String orgId, SendingHours hours) {
        if (hours == null) {
            sendingHours.remove(orgId);
        } else {
            sendingHours.put(orgId, hours);
        }
    }

    @Override
    public synchronized SendingHolds sendingHolds(Instant now) {
        return new SendingHolds(List.of(), List.of(), sendingHours.entrySet().stream()
                .map(e -> new SendingHolds.OrgSendingHours(e.getKey(), e.getValue())).toList());
    }

    /** Writes a QUEUED message due at {@code now}, as a committed enqueue would. */
    public synchronized OutboundMessage enqueue(OutboundMessageRequest request, Instant now) {
        return enqueue(request, now, now);
    }

    /** Writes a QUEUED message due at {@code dueAt}. */
    public synchronized OutboundMessage enqueue(OutboundMessageRequest request, Instant dueAt, Instant now) {
        return enqueue(request, dueAt, now, null);
    }

    /**
     * Writes a QUEUED message due at {@code now} carrying {@code traceContext}, as a traced enqueue
     * would; a fallback takes its parent's, as the JDBC store's does.
     */
    public synchronized OutboundMessage enqueue(OutboundMessageRequest request, Instant now,
            java.util.Map<String, String> traceContext) {
        return enqueue(request, now, now, traceContext);
    }

    private OutboundMessage enqueue(OutboundMessageRequest request, Instant dueAt, Instant now,
            java.util.Map<String, String> traceContext) {
        if (traceContext == null && request.fallbackOf() != null && rows.containsKey(request.fallbackOf())) {
            traceContext = rows.get(request.fallbackOf()).message.traceContext();
        }
        long id = nextId++;
        OutboundMessage m = new OutboundMessage(id, request.orgId(), request.dossierId(), request.channel(), request.to(),
                request.content(), MessageStatus.QUEUED, request.idempotencyKey(), 0,
                request.maxAttempts() == null ? 5 : request.maxAttempts(), 0, dueAt, null, null, request.fallbackOf(),
                now, now, null, null, null, request.createdBy(), request.createdBy(), request.purpose(),
                request.recipientTimeZone(), request.sendBy(), request.priority(),
                request.orderingKey(), traceContext);
        rows.put(id, new Row(m));
        if (request.fallbackOf() != null) {
            fallbackByParent.putIfAbsent(request.fallbackOf(), id);
        }
        return m;
    }

    public synchronized InMemoryStore consent(String orgId, String e164, Channel channel, ConsentStatus status) {
        consents.put(key(orgId, e164, channel), status);
        return this;
    }

    /** Grants consent on both channels to every recipient that has no consent of its own. */
    public synchronized InMemoryStore grantEveryone() {
        defaultConsent = ConsentStatus.GRANTED;
        return this;
    }

    private ConsentStatus defaultConsent = ConsentStatus.UNKNOWN;

    public synchronized InMemoryStore sessionWindowOpenedAt(String orgId, String e164, Instant lastInbound) {
        windows.put(orgId + "|" + e164, lastInbound);
        return this;
    }

    public synchronized InMemoryStore quota(String orgId, int limit, Duration period) {
        quotas.put(orgId, new Quota(limit, period, 0, null));
        return this;
    }

    /** The sending number an org's WhatsApp messages are paced by. */
    public synchronized InMemoryStore sender(String orgId, String phoneNumberId) {
        senderByOrg.put(orgId, phoneNumberId);
        return this;
    }

    /** A receipt that arrived before its send's result was written, as the webhook store keeps it. */
    public synchronized InMemoryStore receiptWaiting(DeliveryReceipt receipt) {
        pendingReceipts.put(receipt.channel() + ":" + receipt.providerMessageId(), receipt);
        return this;
    }

    /**
     * While {@code when} holds for a batch, {@link #complete} throws as an unreachable database
     * would, writing nothing.
     */
    public synchronized InMemoryStore failCompletionsWhile(Predicate<List<AttemptResult>> when) {
        this.failCompletion = when;
        return this;
    }

    /**
     * While {@code when} holds for a batch, {@link #complete} refuses it for what it holds
     * ({@link ResultsRefusedException}), writing nothing.
     */
    public synchronized InMemoryStore refuseCompletionsWhile(Predicate<List<AttemptResult>> when) {
        this.refuseCompletion = when;
        return this;
    }

    // ---- what a test reads

    public synchronized OutboundMessage message(long id) {
        Row r = rows.get(id);
        if (r == null) {
            throw new IllegalArgumentException("no message " + id);
        }
        return r.message;
    }

    public synchronized List<OutboundMessage> messages() {
        return rows.values().stream().map(r -> r.message).toList();
    }

    public synchronized long count(MessageStatus status) {
        return rows.values().stream().filter(r -> r.message.status() == status).count();
    }

    public synchronized List<AttemptRow> attempts() {
        return List.copyOf(attempts);
    }

    public synchronized List<AttemptRow> attempts(long messageId) {
        return attempts.stream().filter(a -> a.messageId() == messageId).toList();
    }

    public synchronized List<Completion> completions() {
        return List.copyOf(completions);
    }

    /** How many messages each claim returned, in order. */
    public synchronized List<Integer> claimSizes() {
        return List.copyOf(claimSizes);
    }

    public synchronized int quotaUsed(String orgId) {
        Quota q = quotas.get(orgId);
        return q == null ? 0 : q.used();
    }

    public synchronized Optional<Instant> throttledUntil(String orgId, Channel channel) {
        return Optional.ofNullable(throttles.get(orgId + "|" + channel));
    }

    public synchronized Optional<Instant> leaseUntil(long messageId) {
        return Optional.ofNullable(rows.get(messageId).leaseUntil);
    }

    public synchronized ConsentStatus consentOf(String orgId, String e164, Channel channel) {
        return consents.getOrDefault(key(orgId, e164, channel), defaultConsent);
    }

    /** The fallback created for {@code parentId}, if any. */
    public synchronized Optional<OutboundMessage> fallbackOf(long parentId) {
        Long id = fallbackByParent.get(parentId);
        return id == null ? Optional.empty() : Optional.of(rows.get(id).message);
    }

    // ---- the store's contract

    @Override
    public synchronized List<ClaimedMessage> claim(String leaseOwner, int batchSize, Duration lease, Instant now,
            ClaimShare share) {
        Map<String, List<Row>> lanes = new LinkedHashMap<>();
        // a key's first unsettled message (lowest id) is the only one of the key that may go
        Map<String, Long> firstOfKey = new HashMap<>();
        for (Row r : rows.values()) {
            OutboundMessage m = r.message;
            if (m.orderingKey() != null && (m.status() == MessageStatus.QUEUED || m.status() == MessageStatus.SENDING)) {
                firstOfKey.merge(m.orgId() + "|" + m.orderingKey(), m.id(), Math::min);
            }
        }
        rows.values().stream()
                .filter(r -> r.message.status() == MessageStatus.QUEUED && !r.message.nextAttemptAt().isAfter(now))
                .filter(r -> !blocked(r.message, now))
                .filter(r -> r.message.orderingKey() == null
                        || firstOfKey.get(r.message.orgId() + "|" + r.message.orderingKey()) == r.message.id())
                // inside a lane a higher priority goes first; lanes keep their fair share
                .sorted(Comparator.comparingInt((Row r) -> r.message.priority().rank())
                        .thenComparing(r -> r.message.nextAttemptAt()).thenComparingLong(r -> r.message.id()))
                .forEach(r -> lanes.computeIfAbsent(r.message.orgId() + "|" + r.message.channel(), k -> new ArrayList<>()).add(r));
        List<List<Row>> mine = new ArrayList<>();
        for (Map.Entry<String, List<Row>> e : lanes.entrySet()) {
            if (Math.floorMod(e.getKey().hashCode(), share.count()) == share.index()) {
                mine.add(e.getValue());
            }
        }
        List<List<Row>> from = mine.isEmpty() ? new ArrayList<>(lanes.values()) : mine;
        List<Row> taken = new ArrayList<>();
        // round robin over the lanes: one from each in turn until the batch is full
        for (int i = 0; taken.size() < batchSize; i++) {
            boolean any = false;
            for (List<Row> lane : from) {
                if (i < lane.size() && taken.size() < batchSize) {
                    taken.add(lane.get(i));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        List<ClaimedMessage> claimed = new ArrayList<>(taken.size());
        for (Row r : taken) {
            OutboundMessage m = r.message;
            r.message = with(m, MessageStateMachine.apply(m.status(), Transition.CLAIM), m.attemptCount() + 1,
                    m.deferralCount(), m.nextAttemptAt(), m.lastError(), m.providerMessageId(), m.sentAt(), now);
            r.leaseOwner = leaseOwner;
            r.leaseUntil = now.plus(lease);
            Instant lastInbound = windows.get(m.orgId() + "|" + m.to().value());
            claimed.add(new ClaimedMessage(r.message, leaseOwner, consentOf(m.orgId(), m.to().value(), m.channel()),
                    lastInbound == null ? SessionWindow.never() : new SessionWindow(lastInbound),
                    m.channel() == Channel.WHATSAPP ? senderByOrg.get(m.orgId()) : null, null));
        }
        claimSizes.add(claimed.size());
        return claimed;
    }

    private boolean blocked(OutboundMessage m, Instant now) {
        Instant until = throttles.get(m.orgId() + "|" + m.channel());
        if (until != null && until.isAfter(now)) {
            return true;
        }
        if (m.channel() != Channel.WHATSAPP) {
            return false;
        }
        Quota q = quotas.get(m.orgId());
        return q != null && q.resetAt() != null && q.resetAt().isAfter(now) && q.used() >= q.limit();
    }

    @Override
    public synchronized Map<String, QuotaGrant> reserveQuota(Map<String, Integer> wanted, Instant now) {
        Map<String, QuotaGrant> grants = new HashMap<>();
        wanted.forEach((org, n) -> {
            Quota q = quotas.get(org);
            if (q == null) {
                grants.put(org, new QuotaGrant(org, n, null));
                return;
            }
            boolean expired = q.resetAt() == null || !q.resetAt().isAfter(now);
            int used = expired ? 0 : q.used();
            Instant resetAt = expired ? now.plus(q.period()) : q.resetAt();
            int granted = Math.min(n, Math.max(q.limit() - used, 0));
            quotas.put(org, new Quota(q.limit(), q.period(), used + granted, resetAt));
            grants.put(org, new QuotaGrant(org, granted, granted < n ? resetAt : null));
        });
        return grants;
    }

    @Override
    public synchronized void releaseQuota(Map<String, Integer> unsent, Instant reservedAt, Instant now) {
        unsent.forEach((org, n) -> {
            Quota q = quotas.get(org);
            // only within the period the reservation was made in: a new period starts from zero
            if (q != null && q.resetAt() != null && q.resetAt().isAfter(now)
                    && !q.resetAt().minus(q.period()).isAfter(reservedAt)) {
                quotas.put(org, new Quota(q.limit(), q.period(), Math.max(q.used() - n, 0), q.resetAt()));
            }
        });
    }

    @Override
    public synchronized CompletionReport complete(List<AttemptResult> results, WebhookDecisions decisions, Instant now) {
        if (failCompletion.test(results)) {
            throw new IllegalStateException("in-memory store told to fail this completion");
        }
        if (refuseCompletion.test(results)) {
            throw new ResultsRefusedException("in-memory store told to refuse this completion", null);
        }
        completions.add(new Completion(results, now));
        int written = 0;
        List<Long> refused = new ArrayList<>();
        List<Long> fallbacks = new ArrayList<>();
        List<DeliveryReceipt> waiting = new ArrayList<>();
        for (AttemptResult a : results) {
            Row r = rows.get(a.messageId());
            Transition t = transitionOf(a);
            boolean applies = r != null && a.leaseOwner().equals(r.leaseOwner) && t.allowedFrom(r.message.status());
            if (a.recordAttempt()) {
                attempts.add(new AttemptRow(a.messageId(), r == null ? 0 : r.message.attemptCount(), a.provider(),
                        a.outcome(), a.error(), a.leaseOwner(), applies));
            }
            if (!applies) {
                refused.add(a.messageId());
                continue;
            }
            written++;
            apply(r, a, t, now);
            if (a.outcome() == Attempt.Outcome.SENT) {
                DeliveryReceipt p = pendingReceipts.remove(r.message.channel() + ":" + a.providerMessageId());
                if (p != null) {
                    waiting.add(p);
                }
            }
            if (a.revokeConsent()) {
                consents.put(key(r.message.orgId(), r.message.to().value(), r.message.channel()), ConsentStatus.REVOKED);
            }
            if (a.throttleOrgUntil() != null) {
                throttle(r.message.orgId(), r.message.channel(), a.throttleOrgUntil(), now);
            }
            if (a.fallback() != null && !fallbackByParent.containsKey(a.messageId())) {
                fallbacks.add(enqueue(a.fallback(), now).id());
            }
        }
        // as the JDBC store: the receipts that beat their send are applied with its result
        ReceiptReconciliation reconciliation = new ReceiptReconciliation(knownByKey(), decisions, now);
        ReceiptReconciliation.Result applied = reconciliation.reconcile(waiting);
        fallbacks.addAll(write(applied, now));
        for (DeliveryReceipt r : applied.unknown()) {
            pendingReceipts.put(ReceiptReconciliation.key(r), r);
        }
        return new CompletionReport(written, refused, fallbacks, applied.applied(), applied.deliveries());
    }

    private static Transition transitionOf(AttemptResult a) {
        return switch (a.outcome()) {
            case SENT -> Transition.ACCEPT;
            case RETRY, DEFERRED -> Transition.RESCHEDULE;
            case DEAD_LETTER, BLOCKED -> Transition.DEAD_LETTER;
        };
    }

    private void apply(Row r, AttemptResult a, Transition t, Instant now) {
        OutboundMessage m = r.message;
        MessageStatus next = MessageStateMachine.apply(m.status(), t);
        r.message = switch (a.outcome()) {
            case SENT -> with(m, next, m.attemptCount(), m.deferralCount(), m.nextAttemptAt(), null,
                    a.providerMessageId(), now, now);
            case RETRY -> with(m, next, m.attemptCount(), m.deferralCount(), a.nextAttemptAt(), a.error(), null, null, now);
            case DEFERRED -> with(m, next, m.attemptCount() - 1, m.deferralCount() + 1, a.nextAttemptAt(), a.error(), null,
                    null, now);
            case DEAD_LETTER, BLOCKED -> with(m, next, m.attemptCount(), m.deferralCount(), m.nextAttemptAt(), a.error(),
                    null, null, now);
        };
        if (a.outcome() == Attempt.Outcome.SENT) {
            r.provider = a.provider();
        }
        r.leaseUntil = null;
    }

    @Override
    public synchronized int recoverExpiredLeases(Instant now, int limit) {
        int recovered = 0;
        for (Row r : rows.values()) {
            if (recovered >= limit) {
                break;
            }
            OutboundMessage m = r.message;
            if (m.status() != MessageStatus.SENDING || r.leaseUntil == null || !r.leaseUntil.isBefore(now)) {
                continue;
            }
            if (m.isLastAttempt()) {
                r.message = with(m, MessageStateMachine.apply(m.status(), Transition.DEAD_LETTER), m.attemptCount(),
                        m.deferralCount(), now, new ErrorInfo("LEASE_EXPIRED",
                                "Lease expired with attempts used up; the provider may have the message",
                                ErrorCategory.TEMPORARY), null, null, now);
            } else {
                r.message = with(m, MessageStateMachine.apply(m.status(), Transition.RECOVER), m.attemptCount(),
                        m.deferralCount(), now, m.lastError(), m.providerMessageId(), m.sentAt(), now);
            }
            r.leaseUntil = null;
            recovered++;
        }
        return recovered;
    }

    @Override
    public synchronized void throttle(String orgId, Channel channel, Instant until, Instant now) {
        throttles.merge(orgId + "|" + channel, until, (a, b) -> a.isAfter(b) ? a : b);
    }

    @Override
    public synchronized QueueSnapshot snapshot(Instant now, Duration stuckQueuedAfter) {
        long queued = 0;
        long sending = 0;
        long stuckQueued = 0;
        long stuckSending = 0;
        Map<Channel, Long> dead = new EnumMap<>(Channel.class);
        for (Channel c : Channel.values()) {
            dead.put(c, 0L);
        }
        for (Row r : rows.values()) {
            OutboundMessage m = r.message;
            switch (m.status()) {
                case QUEUED -> {
                    queued++;
                    if (m.nextAttemptAt().isBefore(now.minus(stuckQueuedAfter))) {
                        stuckQueued++;
                    }
                }
                case SENDING -> {
                    sending++;
                    if (r.leaseUntil != null && r.leaseUntil.isBefore(now)) {
                        stuckSending++;
                    }
                }
                case FAILED -> dead.merge(m.channel(), 1L, Long::sum);
                default -> { }
            }
        }
        return new QueueSnapshot(now, queued, sending, dead, stuckQueued, stuckSending);
    }

    @Override
    public synchronized List<OutboundMessage> undelivered(Instant sentAfter, Instant sentBefore, Instant afterSentAt,
            long afterId, int limit) {
        return rows.values().stream().map(r -> r.message)
                .filter(m -> m.status() == MessageStatus.SENT && m.channel() == Channel.WHATSAPP)
                .filter(m -> m.sentAt().isAfter(sentAfter) && !m.sentAt().isAfter(sentBefore))
                .filter(m -> afterSentAt == null || m.sentAt().isAfter(afterSentAt)
                        || (m.sentAt().equals(afterSentAt) && m.id() > afterId))
                .filter(m -> !fallbackByParent.containsKey(m.id()))
                .sorted(Comparator.comparing(OutboundMessage::sentAt).thenComparingLong(OutboundMessage::id))
                .limit(limit)
                .toList();
    }

    @Override
    public synchronized List<Long> createFallbacks(List<OutboundMessageRequest> fallbacks) {
        List<Long> created = new ArrayList<>();
        for (OutboundMessageRequest f : fallbacks) {
            if (f.fallbackOf() != null && fallbackByParent.containsKey(f.fallbackOf())) {
                continue;
            }
            created.add(enqueue(f, clock.instant()).id());
        }
        return created;
    }

    @Override
    public synchronized Applied apply(WebhookBatch batch, WebhookDecisions decisions, Instant now) {
        ReceiptReconciliation reconciliation = new ReceiptReconciliation(knownByKey(), decisions, now);
        int duplicates = 0;
        List<DeliveryReceipt> fresh = new ArrayList<>();
        for (DeliveryReceipt r : reconciliation.forTheirOrgs(batch.receipts())) {
            if (seenEvents.add(r.dedupeKey())) {
                fresh.add(r);
            } else {
                duplicates++;
            }
        }
        ReceiptReconciliation.Result result = reconciliation.reconcile(fresh);
        List<Long> fallbacks = write(result, now);
        for (DeliveryReceipt r : result.unknown()) {
            pendingReceipts.put(ReceiptReconciliation.key(r), r);
            seenEvents.remove(r.dedupeKey()); // it applies once, when its send's result is written
        }
        int applied = result.applied();
        for (InboundMessage m : batch.inbound()) {
            if (!seenEvents.add(m.dedupeKey())) {
                duplicates++;
                continue;
            }
            inbound.add(m);
            applied++;
            if (m.channel() == Channel.WHATSAPP) {
                windows.merge(m.orgId() + "|" + m.from().value(), m.receivedAt(), (a, b) -> a.isAfter(b) ? a : b);
            }
            if (decisions.isOptOut(m)) {
                consents.put(key(m.orgId(), m.from().value(), m.channel()), ConsentStatus.REVOKED);
            }
        }
        return new Applied(new WebhookResult(applied, duplicates, result.ignored(), result.unknown().size()),
                result.deliveries(), fallbacks);
    }

    private Map<String, Known> knownByKey() {
        Map<String, Known> byKey = new HashMap<>();
        for (Row r : rows.values()) {
            if (r.message.providerMessageId() != null) {
                byKey.put(ReceiptReconciliation.key(r.message.channel(), r.message.providerMessageId()),
                        new Known(r.message, r.provider));
            }
        }
        return byKey;
    }

    /** Writes what receipts decided, as the JDBC store's receipt writes do; returns the fallbacks created. */
    private List<Long> write(ReceiptReconciliation.Result result, Instant now) {
        List<Long> fallbacks = new ArrayList<>();
        for (ReceiptReconciliation.Change c : result.changes()) {
            Row row = rows.get(c.message().id());
            OutboundMessage m = row.message;
            FailedReceiptAction f = c.failure();
            if (f == null) {
                row.message = new OutboundMessage(m.id(), m.orgId(), m.dossierId(), m.channel(), m.to(), m.content(),
                        c.status(), m.idempotencyKey(), m.attemptCount(), m.maxAttempts(), m.deferralCount(),
                        m.nextAttemptAt(), m.lastError(), m.providerMessageId(), m.fallbackOf(), m.createdAt(), now,
                        m.sentAt(), c.deliveredAt() != null ? c.deliveredAt() : m.deliveredAt(),
                        c.readAt() != null ? c.readAt() : m.readAt(), m.createdBy(), "webhook", m.purpose(),
                        m.recipientTimeZone(), m.sendBy(), m.priority(), m.orderingKey(), m.traceContext());
                continue;
            }
            row.message = with(m, c.status(), m.attemptCount(), m.deferralCount(),
                    f.retry() ? f.nextAttemptAt() : m.nextAttemptAt(), f.error(), m.providerMessageId(), m.sentAt(), now);
            attempts.add(new AttemptRow(m.id(), m.attemptCount(), row.provider + ":receipt",
                    f.retry() ? Attempt.Outcome.RETRY : Attempt.Outcome.DEAD_LETTER, f.error(), null, true));
            if (f.revokeConsent()) {
                consents.put(key(m.orgId(), m.to().value(), m.channel()), ConsentStatus.REVOKED);
            }
            if (f.fallback() != null && !fallbackByParent.containsKey(m.id())) {
                fallbacks.add(enqueue(f.fallback(), now).id());
            }
        }
        return fallbacks;
    }

    /** The inbound messages stored, oldest first. */
    public synchronized List<InboundMessage> inbound() {
        return List.copyOf(inbound);
    }

    /** Receipts still waiting for their send's result. */
    public synchronized List<DeliveryReceipt> pendingReceipts() {
        return List.copyOf(pendingReceipts.values());
    }

    private String key(String orgId, String e164, Channel channel) {
        return orgId + "|" + e164 + "|" + channel;
    }

    private static OutboundMessage with(OutboundMessage m, MessageStatus status, int attemptCount, int deferralCount,
            Instant nextAttemptAt, ErrorInfo lastError, String providerMessageId, Instant sentAt, Instant now) {
        return new OutboundMessage(m.id(), m.orgId(), m.dossierId(), m.channel(), m.to(), m.content(), status,
                m.idempotencyKey(), attemptCount, m.maxAttempts(), deferralCount, nextAttemptAt, lastError,
                providerMessageId, m.fallbackOf(), m.createdAt(), now, sentAt, m.deliveredAt(), m.readAt(), m.createdBy(),
                "dispatcher", m.purpose(), m.recipientTimeZone(), m.sendBy(), m.priority(), m.orderingKey(),
                m.traceContext());
    }
}

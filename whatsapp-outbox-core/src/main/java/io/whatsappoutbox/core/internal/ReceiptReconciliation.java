package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.internal.MessageStateMachine;
import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.store.WebhookDecisions.FailedReceiptAction;
import io.whatsappoutbox.core.store.WebhookStore.Delivery;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a batch of receipts does to the messages they name, decided without I/O, so that every
 * store applies receipts alike: receipts arrive late, twice and in any order, move a message
 * forward only, and a failed one goes through the core's retry decision with the catalogue of the
 * provider that sent the message. A store locks the named messages, hands them here with the
 * receipts, removes the duplicates between {@link #forTheirOrgs} and {@link #reconcile}, and writes
 * the {@link Result}. Internal: for the library's stores.
 */
public final class ReceiptReconciliation {
    private static final Logger log = LoggerFactory.getLogger(ReceiptReconciliation.class);

    /** A message a receipt names, as locked by the store, with the provider that accepted it. */
    public record Known(OutboundMessage message, String provider) {}

    /**
     * The batch's effect on one message: its new status and times, or a failure action.
     *
     * @param failure set when a failed receipt retries or dead-letters the message
     */
    public record Change(Known known, MessageStatus status, Instant deliveredAt, Instant readAt,
            FailedReceiptAction failure) {
        public OutboundMessage message() {
            return known.message();
        }

        /** Whether a positive receipt moved the message, or told an earlier delivery time. */
        public boolean advanced() {
            Instant stored = message().deliveredAt();
            return failure == null && (status != message().status()
                    || (deliveredAt != null && (stored == null || deliveredAt.isBefore(stored))));
        }
    }

    /**
     * @param changes one per message that any receipt moved (failed ones carry their action)
     * @param unknown receipts for provider ids not written yet: the store keeps them until the send's
     *     result is written
     * @param deliveries messages that reached DELIVERED (or READ without a delivery receipt) now
     */
    public record Result(List<Change> changes, List<DeliveryReceipt> unknown, List<Delivery> deliveries, int applied,
            int ignored) {
        public Result {
            changes = List.copyOf(changes);
            unknown = List.copyOf(unknown);
            deliveries = List.copyOf(deliveries);
        }

        public List<Change> advanced() {
            return changes.stream().filter(Change::advanced).toList();
        }

        public List<Change> failed() {
            return changes.stream().filter(c -> c.failure() != null).toList();
        }
    }

    private final Map<String, Known> byKey;
    private final WebhookDecisions decisions;
    private final Instant now;
    private int ignored;

    /**
     * @param byKey the messages the receipts name, keyed by {@link #key(Channel, String)}
     */
    public ReceiptReconciliation(Map<String, Known> byKey, WebhookDecisions decisions, Instant now) {
        this.byKey = byKey;
        this.decisions = decisions;
        this.now = now;
    }

    /** A receipt names its message by channel and provider id: one channel's id never moves the other's message. */
    public static String key(Channel channel, String providerMessageId) {
        return channel + ":" + providerMessageId;
    }

    public static String key(DeliveryReceipt r) {
        return key(r.channel(), r.providerMessageId());
    }

    /**
     * The receipts that may apply: one signed for an org that names another org's message is
     * ignored. It comes before deduplication, so that it does not use up the key the real receipt
     * will come with.
     */
    public List<DeliveryReceipt> forTheirOrgs(List<DeliveryReceipt> receipts) {
        List<DeliveryReceipt> kept = new ArrayList<>(receipts.size());
        for (DeliveryReceipt r : receipts) {
            Known k = byKey.get(key(r));
            if (k != null && r.orgId() != null && !r.orgId().equals(k.message().orgId())) {
                log.warn("Ignored a {} receipt for message {}: it came for org {} but the message belongs to org {}",
                        r.status(), k.message().id(), r.orgId(), k.message().orgId());
                ignored++;
            } else {
                kept.add(r);
            }
        }
        return kept;
    }

    /** Decides what the fresh (deduplicated) receipts do. */
    public Result reconcile(List<DeliveryReceipt> fresh) {
        // delivered before read, failures last: the order a batch comes in does not matter then
        List<DeliveryReceipt> ordered = new ArrayList<>(fresh);
        ordered.sort(Comparator.comparingInt(r -> r.status() == DeliveryStatus.FAILED ? 9 : r.status().ordinal()));
        List<DeliveryReceipt> unknown = new ArrayList<>();
        Map<Long, Draft> drafts = new LinkedHashMap<>();
        int applied = 0;
        for (DeliveryReceipt r : ordered) {
            Known k = byKey.get(key(r));
            if (k == null) {
                unknown.add(r);
                continue;
            }
            Draft d = drafts.computeIfAbsent(k.message().id(), id -> new Draft(k));
            boolean moved = r.status() == DeliveryStatus.FAILED ? failed(d, r) : positive(d, r);
            if (moved) {
                applied++;
            } else {
                ignored++;
            }
        }
        List<Change> changes = new ArrayList<>();
        List<Delivery> deliveries = new ArrayList<>();
        for (Draft d : drafts.values()) {
            Change c = new Change(d.known, d.status, d.deliveredAt, d.readAt, d.failure);
            if (c.failure() != null || c.advanced()) {
                changes.add(c);
            }
            if (d.firstDelivery != null && d.status != MessageStatus.FAILED && d.status != MessageStatus.QUEUED) {
                OutboundMessage m = d.known.message();
                deliveries.add(new Delivery(m.id(), m.channel(), m.createdAt(), d.firstDelivery));
            }
        }
        return new Result(changes, unknown, deliveries, applied, ignored);
    }

    private static boolean positive(Draft d, DeliveryReceipt r) {
        Optional<Transition> t = MessageStateMachine.receiptTransition(d.status, r.status());
        if (t.isEmpty()) {
            if (r.status() == DeliveryStatus.DELIVERED
                    && (d.status == MessageStatus.READ || d.status == MessageStatus.DELIVERED)) {
                // a read receipt or a later delivery receipt came first: this one still tells when
                // the message was delivered
                d.deliveredAt = earliest(d.deliveredAt, r.occurredAt());
            }
            return false;
        }
        d.status = MessageStateMachine.apply(d.status, t.get());
        if (d.status == MessageStatus.DELIVERED) {
            d.deliveredAt = earliest(d.deliveredAt, r.occurredAt());
        } else if (d.status == MessageStatus.READ) {
            d.readAt = r.occurredAt();
            // read means delivered, at the latest then, until a delivery receipt tells the time
            d.deliveredAt = earliest(d.deliveredAt, r.occurredAt());
        }
        if (d.known.message().deliveredAt() == null && d.firstDelivery == null) {
            d.firstDelivery = r.occurredAt();
        }
        return true;
    }

    private boolean failed(Draft d, DeliveryReceipt r) {
        boolean canRetry = Transition.RETRY_RECEIPT.allowedFrom(d.status);
        boolean canFail = Transition.FAIL_RECEIPT.allowedFrom(d.status);
        if (!canRetry && !canFail) {
            return false;
        }
        FailedReceiptAction action = decisions.onFailedReceipt(withStatus(d.known.message(), d.status), r,
                d.known.provider(), now);
        if (action.retry() && !canRetry) {
            return false; // a message already delivered is not sent again
        }
        d.status = MessageStateMachine.apply(d.status, action.retry() ? Transition.RETRY_RECEIPT : Transition.FAIL_RECEIPT);
        d.failure = action;
        return true;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || (b != null && b.isBefore(a)) ? b : a;
    }

    private static OutboundMessage withStatus(OutboundMessage m, MessageStatus status) {
        return new OutboundMessage(m.id(), m.orgId(), m.dossierId(), m.channel(), m.to(), m.content(), status,
                m.idempotencyKey(), m.attemptCount(), m.maxAttempts(), m.deferralCount(), m.nextAttemptAt(),
                m.lastError(), m.providerMessageId(), m.fallbackOf(), m.createdAt(), m.updatedAt(), m.sentAt(),
                m.deliveredAt(), m.readAt(), m.createdBy(), m.updatedBy(), m.purpose(), m.recipientTimeZone(),
                m.sendBy(), m.priority(), m.orderingKey(), m.traceContext());
    }

    /** What the batch does to one message, while it is decided. */
    private static final class Draft {
        final Known known;
        MessageStatus status;
        Instant deliveredAt;
        Instant readAt;
        Instant firstDelivery;
        FailedReceiptAction failure;

        Draft(Known known) {
            this.known = known;
            this.status = known.message().status();
        }
    }
}

package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.internal.WebhookApplier;
import io.whatsappoutbox.core.store.DispatchStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's periodic chores: expired leases back to the queue, the queue gauges, the
 * no-delivery fallback sweep, the webhook deduplication pruning and the store's own chores. One claim thread at a time runs
 * them when they are due; the others go on claiming.
 */
final class Maintenance {
    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);
    private static final int SWEEP_PAGE = 500;
    /** Overdue messages ended per maintenance run, in one statement. */
    private static final int EXPIRE_PAGE = 500;

    private final DispatchStore store;
    private final Clock clock;
    private final FallbackRules fallbackRules;
    private final OutboxListener listener;
    /** Null without a webhook store. */
    private final WebhookApplier webhooks;
    private final Duration interval;
    private final Duration stuckAfter;
    private final HeldSends holds;
    private final ReentrantLock lock = new ReentrantLock();
    /** Read by every claim thread without the lock (a cheap "not yet"); written under it. */
    private volatile Instant nextRun = Instant.MIN;
    private Instant nextSnapshot = Instant.MIN;
    private Instant sweepCursorSentAt;
    private long sweepCursorId;

    Maintenance(DispatchStore store, Clock clock, FallbackRules fallbackRules, OutboxListener listener,
            WebhookApplier webhooks, Duration interval, Duration stuckAfter, HeldSends holds) {
        this.store = store;
        this.clock = clock;
        this.fallbackRules = fallbackRules;
        this.listener = listener;
        this.webhooks = webhooks;
        this.interval = interval;
        this.stuckAfter = stuckAfter;
        this.holds = holds;
    }

    /** Everything now, the gauges included, waiting for a claim thread that is at it. */
    void runNow() {
        lock.lock();
        try {
            maintain(true);
        } finally {
            lock.unlock();
        }
    }

    /** Runs the chores if they are due and no other thread runs them. */
    void runIfDue() {
        if (clock.instant().isBefore(nextRun) || !lock.tryLock()) {
            return;
        }
        try {
            if (!clock.instant().isBefore(nextRun)) {
                maintain(false);
                nextRun = clock.instant().plus(interval);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The gauges count the queue, which takes longer as the backlog grows (about a second for a
     * million queued messages): in the background they are refreshed at most every maintenance
     * interval and no more often than 50 times the last count took, so that counting never costs
     * more than 2 % of the database's time, whatever the backlog.
     */
    private void maintain(boolean snapshotNow) {
        Instant now = clock.instant();
        holds.refresh(now);
        int recovered = store.recoverExpiredLeases(now, 1000);
        if (recovered > 0) {
            listener.onLeasesRecovered(recovered);
        }
        if (snapshotNow || !now.isBefore(nextSnapshot)) {
            long started = System.nanoTime();
            listener.onQueueSnapshot(store.snapshot(now, stuckAfter));
            listener.onMessagingLimitUsage(store.messagingLimitUsage(now));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            nextSnapshot = clock.instant().plus(took.multipliedBy(50));
        }
        fallbackRules.shortestNotDeliveredDelay().ifPresent(delay -> sweepUndelivered(now, delay));
        // what no claim reaches in time (a backlog, a wait past the deadline) does not sit queued
        Map<Channel, Integer> expired = store.expireOverdue(now, EXPIRE_PAGE);
        if (!expired.isEmpty()) {
            log.info("Ended queued message(s) past their sendBy as EXPIRED: {}", expired);
            // counted as the dead letters they are, as the gate's expiries are
            expired.forEach((channel, count) -> {
                for (int i = 0; i < count; i++) {
                    listener.onDeadLetter(new OutboxListener.DeadLettered(channel, null, OutboxErrorCodes.EXPIRED,
                            ErrorCategory.EXPIRED, false));
                }
            });
        }
        if (webhooks != null) {
            webhooks.applyWaitingReceipts();
            webhooks.pruneExpired();
        }
        try {
            store.runChores(now);
        } catch (RuntimeException e) {
            // the store's own work (a template sync) failing must not stop the dispatcher's
            log.warn("The store's periodic work failed: {}", SafeText.describe(e));
        }
    }

    /**
     * Walks accepted messages still without delivery receipt, a page per maintenance run, with a
     * cursor so that messages no rule selects are passed over rather than read again and again.
     * Messages accepted more than a day before the delay are left alone: a reminder that late is
     * better not sent at all.
     */
    private void sweepUndelivered(Instant now, Duration delay) {
        Instant before = now.minus(delay);
        List<OutboundMessage> page = store.undelivered(before.minus(Duration.ofDays(1)), before,
                sweepCursorSentAt, sweepCursorId, SWEEP_PAGE);
        if (page.size() < SWEEP_PAGE) {
            sweepCursorSentAt = null;
            sweepCursorId = 0;
        } else {
            OutboundMessage last = page.get(page.size() - 1);
            sweepCursorSentAt = last.sentAt();
            sweepCursorId = last.id();
        }
        List<OutboundMessageRequest> fallbacks = new ArrayList<>();
        page.forEach(m -> fallbackRules.onNotDelivered(m, now).ifPresent(fallbacks::add));
        if (!fallbacks.isEmpty()) {
            List<Long> created = store.createFallbacks(fallbacks);
            if (!created.isEmpty()) {
                listener.onFallbacksCreated(created.size());
                log.info("Created {} SMS fallback(s) for WhatsApp messages not delivered within {}", created.size(), delay);
            }
        }
    }
}

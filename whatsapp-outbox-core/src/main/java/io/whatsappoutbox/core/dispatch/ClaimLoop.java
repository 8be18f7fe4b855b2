package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.store.ClaimShare;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.DispatchStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim threads: each claims its share of the lanes with the in-flight room it holds, hands
 * the batch to the sender, and waits for a wake-up (an enqueue, a written batch, the close) or
 * the poll interval when there was nothing to claim. A database that is away is retried with
 * backoff, logged once.
 */
final class ClaimLoop {
    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final DispatcherSettings settings;
    private final DispatchStore store;
    private final Clock clock;
    private final InFlightBudget budget;
    private final BatchSender sender;
    private final ResultWriter writer;
    private final Maintenance maintenance;
    private final AtomicInteger state;
    private final WakeSignal wakeSignal = new WakeSignal();
    private final AtomicLong claimSequence = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Instant lastClaimAt;
    private AutoCloseable wakeSubscription;

    /** @param state the dispatcher's lifecycle: claim threads run while it is {@link Dispatcher#RUNNING} */
    ClaimLoop(DispatcherSettings settings, InFlightBudget budget, BatchSender sender, ResultWriter writer,
            Maintenance maintenance, AtomicInteger state) {
        this.settings = settings;
        this.store = settings.store;
        this.clock = settings.clock;
        this.budget = budget;
        this.sender = sender;
        this.writer = writer;
        this.maintenance = maintenance;
        this.state = state;
    }

    /**
     * Starts a claim thread per store thread, each with its share of the lanes, woken by the
     * store's notifications when there are any.
     */
    void start() {
        if (settings.wakeUps != null) {
            try {
                wakeSubscription = settings.wakeUps.subscribe(this::wake);
            } catch (RuntimeException e) {
                log.warn("No wake-up notifications, polling every {} ms: {}", settings.pollInterval.toMillis(),
                        SafeText.describe(e));
            }
        }
        threads.addAll(Threads.start(settings.storeThreads, "whatsapp-outbox-claim",
                i -> () -> run(new ClaimShare(i, settings.storeThreads))));
    }

    /** Wakes every waiting claim thread. */
    void wake() {
        wakeSignal.fire();
    }

    /** Waits for the claim threads to end, until {@code deadlineNanos} ({@link System#nanoTime()}). */
    void join(long deadlineNanos) {
        for (Thread t : threads) {
            Threads.joinQuietly(t, Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime())));
        }
    }

    void stopWakeUps() {
        if (wakeSubscription != null) {
            try {
                wakeSubscription.close();
            } catch (Exception e) {
                log.debug("closing wake-ups: {}", SafeText.describe(e));
            }
        }
    }

    boolean anyAlive() {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    Instant lastClaimAt() {
        return lastClaimAt;
    }

    private void run(ClaimShare share) {
        Duration backoff = settings.pollInterval;
        boolean failing = false;
        while (state.get() == Dispatcher.RUNNING) {
            try {
                maintenance.runIfDue();
                long signals = wakeSignal.count();
                int claimed = claimAndProcess(share, false);
                if (failing) {
                    log.info("Dispatcher {} reaches the database again", settings.instanceId);
                    failing = false;
                    backoff = settings.pollInterval;
                }
                if (claimed == 0) {
                    // idle, or no room for a batch within the poll interval: wait for a wake-up, a
                    // written result or the poll interval (the next claim waits in line for room)
                    wakeSignal.awaitAfter(signals, settings.pollInterval);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!failing) {
                    log.error("Dispatcher {} cannot claim, backing off: {}", settings.instanceId, SafeText.describe(e));
                    failing = true;
                }
                Threads.sleepQuietly(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /**
     * Claims a batch with the in-flight permits it holds, so that several claim threads never
     * claim more between them than may be in flight. A claim thread takes its share of the lanes
     * (every due lane when its share has none due).
     *
     * @param unstarted claimed by {@link Dispatcher#dispatchOnce()} before (or without) {@link Dispatcher#start()}
     * @return how many messages were claimed
     */
    int claimAndProcess(ClaimShare share, boolean unstarted) throws InterruptedException {
        int capacity = budget.acquireForClaim(settings.pollInterval);
        if (capacity == 0) {
            return 0;
        }
        if (state.get() != (unstarted ? Dispatcher.NEW : Dispatcher.RUNNING)) {
            // closing while this thread waited for room: claim nothing more
            budget.release(capacity);
            return 0;
        }
        String owner = settings.instanceId + ":" + claimSequence.incrementAndGet();
        // the lease the store grants starts no earlier than this: a call started before
        // claimedAt + lease - call timeout ends before the lease does
        Instant claimedAt = clock.instant();
        List<ClaimedMessage> claimed;
        try {
            claimed = store.claim(owner, capacity, settings.lease, claimedAt, share);
        } catch (RuntimeException e) {
            budget.release(capacity);
            throw e;
        }
        lastClaimAt = clock.instant();
        budget.release(capacity - claimed.size());
        if (claimed.isEmpty()) {
            return 0;
        }
        try {
            sender.process(claimed, claimedAt, writer::submit);
        } catch (RuntimeException e) {
            // the quota could not be reserved: nothing was sent; the leases expire and return the batch
            budget.release(claimed.size());
            throw e;
        }
        return claimed.size();
    }
}

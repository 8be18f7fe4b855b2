package io.whatsappoutbox.core.dispatch;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The messages claimed and not yet written, as permits: a claim takes room for its batch before it
 * claims, and a written batch gives its room back. Within maxInFlight, the {@link LeaseBudget}
 * bounds the room further when the provider is slow, so that nothing claimed waits in the
 * dispatcher until its lease runs out.
 */
final class InFlightBudget {
    /** Longest a claim thread waits in line for in-flight room before it looks at its state again. */
    private static final long PERMIT_WAIT_MILLIS = 1_000;

    private final int maxInFlight;
    private final int batchSize;
    private final LeaseBudget lease;
    private final Semaphore permits;
    /** Claim threads size their claim to the lease budget one at a time, so that together they stay within it. */
    private final Object budgetRoom = new Object();

    InFlightBudget(int maxInFlight, int batchSize, LeaseBudget lease) {
        this.maxInFlight = maxInFlight;
        this.batchSize = batchSize;
        this.lease = lease;
        // fair: the claim threads take permits in turn, so that no share of the lanes waits while
        // another share's thread wins every race for the permits a written batch gives back
        this.permits = new Semaphore(maxInFlight, true);
    }

    LeaseBudget lease() {
        return lease;
    }

    /**
     * Takes room for a claim: a whole batch, waiting in line for it (a claim costs about the same
     * for 20 messages as for 200), or when the provider is slow no more than the send slots can
     * send within a lease, in claims of at least half the budget (or a batch) so that a claim is
     * not made per message.
     *
     * @return the permits taken, 0 when there is no room now
     */
    int acquireForClaim(Duration pollInterval) throws InterruptedException {
        // waits in line (the timed tryAcquire honours the semaphore's fairness; the untimed one
        // barges), at most a second: close() cannot wake a thread waiting here, only its timeout can
        long wait = Math.min(pollInterval.toMillis(), PERMIT_WAIT_MILLIS);
        int limit = lease.limit();
        if (limit >= maxInFlight) {
            return permits.tryAcquire(batchSize, wait, TimeUnit.MILLISECONDS) ? batchSize : 0;
        }
        synchronized (budgetRoom) {
            int room = limit - inFlight();
            int capacity = Math.min(batchSize, room);
            if (capacity < Math.min(batchSize, Math.max(1, limit / 2)) || !permits.tryAcquire(capacity)) {
                return 0;
            }
            return capacity;
        }
    }

    void release(int n) {
        permits.release(n);
    }

    int available() {
        return permits.availablePermits();
    }

    int maxInFlight() {
        return maxInFlight;
    }

    /** Messages claimed and not yet written. */
    int inFlight() {
        return maxInFlight - permits.availablePermits();
    }

    boolean allReturned() {
        return permits.availablePermits() == maxInFlight;
    }

    /** Waits until every claimed message is written, at most {@code timeout}: whether they all were. */
    boolean awaitAllReturned(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!allReturned()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return true;
    }
}

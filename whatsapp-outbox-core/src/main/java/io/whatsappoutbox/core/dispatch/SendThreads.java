package io.whatsappoutbox.core.dispatch;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The send slots of the synchronous path, where a provider call holds its thread for its whole
 * round trip. As many as the host set; by default they start at {@link #AUTO_MIN} and grow, up to
 * {@link #AUTO_MAX}, to what the senders' pace needs at the call latency seen: a provider that
 * answers in 250 ms needs 20 calls at once to keep one number at 80 msg/s, so a fixed 16 could
 * never reach it. They do not shrink: a pool of idle threads costs their stacks, not CPU.
 */
final class SendThreads {
    static final int AUTO_MIN = 16;
    static final int AUTO_MAX = 64;
    /** Calls in flight per call the pace needs: room for the latency's spread. */
    private static final double HEADROOM = 1.25;

    private final Executor executor;
    /** The dispatcher's own pool, which grows; null for a host executor (or fixed slots). */
    private final ThreadPoolExecutor growable;
    private final Semaphore slots;
    private final LeaseBudget budget;
    private volatile int size;

    /**
     * @param growable the dispatcher's own pool when it may grow (the default), else null: the
     *     host's executor, or a concurrency the host set
     */
    SendThreads(Executor executor, ThreadPoolExecutor growable, int size, LeaseBudget budget) {
        this.executor = executor;
        this.growable = growable;
        this.slots = new Semaphore(size);
        this.size = size;
        this.budget = budget;
    }

    /** The dispatcher's own pool of {@code size} send threads. */
    static ThreadPoolExecutor pool(int size) {
        return new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                Threads.daemons("whatsapp-outbox-send"));
    }

    /** The slots the pace of {@code pacedRate} msg/s needs at {@code latency} per call, within the bounds. */
    static int needed(int pacedRate, Duration latency) {
        double calls = Math.ceil(pacedRate * (latency.toNanos() / 1e9) * HEADROOM);
        return (int) Math.max(AUTO_MIN, Math.min(AUTO_MAX, calls));
    }

    /**
     * Grows the slots to what the pace needs at the latency observed so far; nothing before a call
     * has been observed (the call timeout would size them for the worst case) or with fixed slots.
     */
    void fitTo(int pacedRate) {
        if (growable == null) {
            return;
        }
        Duration latency = budget.observedCallLatency();
        if (latency == null) {
            return;
        }
        int wanted = needed(pacedRate, latency);
        if (wanted <= size) {
            return;
        }
        synchronized (this) {
            int current = size;
            if (wanted <= current) {
                return;
            }
            growable.setMaximumPoolSize(wanted);
            growable.setCorePoolSize(wanted);
            slots.release(wanted - current);
            size = wanted;
            budget.concurrency(wanted);
        }
    }

    int size() {
        return size;
    }

    Executor executor() {
        return executor;
    }

    /** Slots free now (tests). */
    int freeSlots() {
        return slots.availablePermits();
    }

    void acquire() {
        slots.acquireUninterruptibly();
    }

    void release() {
        slots.release();
    }
}

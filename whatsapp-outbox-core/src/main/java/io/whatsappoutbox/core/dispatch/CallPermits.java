package io.whatsappoutbox.core.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The provider calls in flight on the asynchronous path, where no thread bounds them: as many as
 * the pacing can use at the observed latency (Little's law: the senders' paced rates times the
 * mean call, with headroom), at least a floor before any pace is known, never more than may be
 * claimed ({@link LeaseBudget#limit()}) nor than the providers' clients carry at once
 * ({@link io.whatsappoutbox.core.spi.MessageProvider#maxConcurrentCalls()}: beyond it a call would
 * queue in the client, and the mean latency, which sizes the permits, would grow with that line). A
 * send thread waits for a permit at most until its message's last call start.
 */
final class CallPermits {
    /** Room for the pace to rise and the latency to vary between two sizings. */
    private static final double HEADROOM = 1.5;
    /** Calls allowed before the dispatcher has seen a pace or a latency. */
    static final int FLOOR = 64;
    private static final long RESIZE_NANOS = 100_000_000L;

    private final AtomicInteger inCall = new AtomicInteger();
    private final Object lock = new Object();
    private final Clock clock;
    /** What the providers' clients carry at once: a call beyond would wait in a client's own line. */
    private final int transportLimit;
    private volatile int limit;
    /** Send threads waiting for a permit: a release wakes one only when there is one. */
    private volatile int waiting;
    private volatile long sizedAt = System.nanoTime();

    /** @param transportLimit the fewest calls at once any asynchronous provider's client carries */
    CallPermits(Clock clock, int transportLimit) {
        this.clock = clock;
        this.transportLimit = Math.max(1, transportLimit);
        this.limit = Math.min(FLOOR, this.transportLimit);
    }

    /** Takes a permit, waiting at most until {@code until}: false when none came in time (or on interrupt). */
    boolean acquire(Instant until) {
        if (tryAcquire()) {
            return true;
        }
        synchronized (lock) {
            waiting++;
            try {
                while (!tryAcquire()) {
                    long millis = Duration.between(clock.instant(), until).toMillis();
                    if (millis <= 0) {
                        return false;
                    }
                    lock.wait(Math.min(millis, 100));
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                waiting--;
            }
        }
    }

    /** A permit if one is free now. */
    boolean tryAcquire() {
        int n = inCall.incrementAndGet();
        if (n <= limit) {
            return true;
        }
        inCall.decrementAndGet();
        return false;
    }

    void release() {
        inCall.decrementAndGet();
        if (waiting > 0) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** Sizes the permits again, at most ten times a second (a call's completion asks). */
    void resizeIfDue(Pacer pacer, LeaseBudget lease) {
        long now = System.nanoTime();
        if (now - sizedAt < RESIZE_NANOS) {
            return;
        }
        sizedAt = now;
        limit = size(pacer.pacedRateSum(), lease.meanCallLatency(), Math.min(lease.limit(), transportLimit));
        if (waiting > 0) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    static int size(int pacedRate, Duration meanCall, int cap) {
        double calls = pacedRate * (meanCall.toNanos() / 1e9) * HEADROOM;
        return (int) Math.max(1, Math.min(cap, Math.max(FLOOR, Math.ceil(calls))));
    }

    int limit() {
        return limit;
    }

    /** Send threads waiting for a permit now (tests). */
    int waiting() {
        return waiting;
    }

    int inCall() {
        return inCall.get();
    }
}

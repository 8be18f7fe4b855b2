package io.whatsappoutbox.core.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.function.IntSupplier;

/**
 * How many messages may be claimed and not yet written: no more than the send slots can send
 * within a lease at the provider's observed call latency, and never more than maxInFlight. A
 * message claimed beyond that would wait in the dispatcher's own queue until its lease ran out.
 *
 * <p>The last call of a lease must start {@link #callTimeout} before its end (the call may take
 * that long) and a little more ({@link #writeMargin}) so that its result is written before the
 * lease can be recovered.
 */
final class LeaseBudget {
    /** Weight of the newest call in the mean: a provider slowing down is seen within tens of calls. */
    private static final double WEIGHT = 0.1;

    /** Send slots of the synchronous path; they may grow ({@link SendThreads}). */
    private int concurrency;
    private final int maxInFlight;
    private final Duration lease;
    private final Duration callTimeout;
    private final Duration writeMargin;
    private final long sendWindowNanos;
    private final Object lock = new Object();
    /** Asynchronous providers: the senders' summed pace, which sizes the claims; null on the synchronous path. */
    private final IntSupplier pacedRate;
    private final int floor;
    /** Asynchronous providers: the most calls at once the host allows; {@code Integer.MAX_VALUE} when unbounded. */
    private final int maxCalls;
    /** Mean call latency in nanoseconds; before any call, the call timeout (or none when unknown). */
    private double meanNanos;
    /** The same mean over the calls seen only, without the call timeout it starts from; negative before the first. */
    private double observedNanos = -1;
    private volatile int limit;

    LeaseBudget(int concurrency, int maxInFlight, Duration lease, Duration callTimeout) {
        this(concurrency, maxInFlight, lease, callTimeout, null, maxInFlight, Integer.MAX_VALUE);
    }

    /**
     * For asynchronous providers, where no send slot bounds the calls: what may be claimed is what
     * the senders' pace sends while a call runs plus a second of pacing, with headroom, at least
     * {@code floor}, never more than the pace sends within a lease's send window, nor than
     * {@code maxCalls} calls at once send in it at the mean latency.
     */
    LeaseBudget(int concurrency, int maxInFlight, Duration lease, Duration callTimeout, IntSupplier pacedRate,
            int floor, int maxCalls) {
        this.pacedRate = pacedRate;
        this.maxCalls = maxCalls;
        this.floor = Math.min(floor, maxInFlight);
        this.concurrency = concurrency;
        this.maxInFlight = maxInFlight;
        this.lease = lease;
        this.callTimeout = callTimeout;
        this.writeMargin = writeMargin(lease);
        this.sendWindowNanos = Math.max(1, lease.minus(callTimeout).minus(writeMargin).toNanos());
        this.meanNanos = callTimeout.toNanos();
        this.limit = compute(meanNanos);
    }

    /** Room left after the last call of a lease for its result to be written: a tenth of the lease, at most 5 s. */
    static Duration writeMargin(Duration lease) {
        Duration tenth = lease.dividedBy(10);
        return tenth.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : tenth;
    }

    /** The longest any provider of the dispatcher may take for one call. */
    Duration callTimeout() {
        return callTimeout;
    }

    /** The last moment a provider call may start for a message claimed at {@code claimedAt}. */
    Instant lastCallStart(Instant claimedAt) {
        return claimedAt.plus(lease).minus(callTimeout).minus(writeMargin);
    }

    /** Messages that may be claimed and not yet written now. */
    int limit() {
        return limit;
    }

    /** Mean provider call latency seen so far (the call timeout before the first call). */
    Duration meanCallLatency() {
        synchronized (lock) {
            return Duration.ofNanos((long) meanNanos);
        }
    }

    /** Mean provider call latency of the calls seen, null before the first. */
    Duration observedCallLatency() {
        synchronized (lock) {
            return observedNanos < 0 ? null : Duration.ofNanos((long) observedNanos);
        }
    }

    /** The send slots grew: more fits in a lease. */
    void concurrency(int slots) {
        synchronized (lock) {
            concurrency = slots;
            limit = compute(meanNanos);
        }
    }

    void observe(Duration call) {
        long nanos = Math.max(0, call.toNanos());
        synchronized (lock) {
            meanNanos = meanNanos <= 0 ? nanos : meanNanos + WEIGHT * (nanos - meanNanos);
            observedNanos = observedNanos < 0 ? nanos : observedNanos + WEIGHT * (nanos - observedNanos);
            limit = compute(meanNanos);
        }
    }

    /**
     * The send slots' output within a lease, at least one message per slot (a slot always has
     * time for one call), at most maxInFlight.
     */
    private int compute(double mean) {
        if (pacedRate != null) {
            return paced(mean);
        }
        if (mean <= 0) {
            return maxInFlight;
        }
        double fits = concurrency * (sendWindowNanos / mean);
        return (int) Math.max(Math.min(concurrency, maxInFlight), Math.min(maxInFlight, Math.floor(fits)));
    }

    private int paced(double meanNanos) {
        int rate = pacedRate.getAsInt();
        if (rate <= 0) {
            return floor;
        }
        double busy = rate * (Math.max(0, meanNanos) / 1e9 + 1) * 1.5;
        double withinLease = rate * (sendWindowNanos / 1e9);
        if (maxCalls != Integer.MAX_VALUE && meanNanos > 0) {
            // the host's ceiling of calls at once sends no more than that within the send window
            withinLease = Math.min(withinLease, Math.max(maxCalls, maxCalls * (sendWindowNanos / meanNanos)));
        }
        return (int) Math.min(maxInFlight, Math.max(floor, Math.ceil(Math.min(busy, withinLease))));
    }
}

package io.whatsappoutbox.examples.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Where a contender reports each provider call (the no-op work), by message sequence number.
 * The drain probe counts calls per message (so that a lost or doubled message shows); the latency
 * probe measures from the host's commit to the call.
 */
interface Probe {

    void called(long seq);

    /** Counts calls per message of a backlog {@code [0, messages)}. */
    final class Drain implements Probe {
        private final AtomicIntegerArray calls;
        private final AtomicLong total = new AtomicLong();
        /** {@link System#nanoTime()} of the first call, 0 before it. */
        private final AtomicLong firstCall = new AtomicLong();

        Drain(int messages) {
            this.calls = new AtomicIntegerArray(messages);
        }

        @Override
        public void called(long seq) {
            if (firstCall.get() == 0) {
                firstCall.compareAndSet(0, System.nanoTime());
            }
            calls.incrementAndGet((int) seq);
            total.incrementAndGet();
        }

        long firstCallNanos() {
            return firstCall.get();
        }

        long total() {
            return total.get();
        }

        /** Messages called at least once. */
        long distinct() {
            long n = 0;
            for (int i = 0; i < calls.length(); i++) {
                if (calls.get(i) > 0) {
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * Latency from commit to provider call. The call may come before the producer has noted its
     * commit (the dispatcher was woken first): whichever side comes second records the sample.
     */
    final class Latency implements Probe {
        private final ConcurrentHashMap<Long, Long> committed = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<Long, Long> called = new ConcurrentHashMap<>();
        private final Histogram histogram = new Histogram(60_000_000_000L, 3);
        private final AtomicLong samples = new AtomicLong();

        @Override
        public void called(long seq) {
            long now = System.nanoTime();
            if (called.putIfAbsent(seq, now) != null) {
                return;
            }
            Long at = committed.remove(seq);
            if (at != null) {
                // the producer may note its commit after this call read the clock: no wait at all
                record(Math.max(0, now - at));
            }
        }

        void committed(long seq, long nanos) {
            committed.put(seq, nanos);
            Long at = called.get(seq);
            if (at != null && committed.remove(seq) != null) {
                record(Math.max(0, at - nanos));
            }
        }

        private synchronized void record(long nanos) {
            histogram.recordValue(Math.min(nanos, histogram.getHighestTrackableValue()));
            samples.incrementAndGet();
        }

        long samples() {
            return samples.get();
        }

        synchronized double percentileMillis(double p) {
            return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(p) / 1e6;
        }
    }
}

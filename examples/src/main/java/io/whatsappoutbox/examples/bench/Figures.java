package io.whatsappoutbox.examples.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What one contender did at one scale in one mode.
 *
 * @param drainPerSecond messages drained per second, from the first provider call to the last message finished
 * @param startMillis from the start of the consumer (building it included) to its first provider call
 * @param distinct messages called at least once (must equal {@code messages})
 * @param calls provider calls in all (more than {@code messages}: a message was sent twice)
 * @param bloat sizes of the claim index and the table before and after the drain (outbox schema only)
 * @param databaseCpuPerMessage CPU microseconds the database server spent per message drained
 * @param jvmCpuPerMessage CPU microseconds this JVM spent per message drained
 * @param vacuumCpuPerMessage CPU microseconds the database spent per message drained on the
 *     {@code VACUUM} run right after the drain (autovacuum is off during it: see {@link BenchRunner})
 * @param walBytesPerMessage WAL the whole server wrote during the drain, bytes per message drained
 * @param checkpoints checkpoints that started during the drain (each drain starts right after one)
 * @param jitMillis time this JVM's compilers spent compiling during the drain, milliseconds (from
 *     {@code CompilationMXBean}): how far the drain ran on finished code
 * @param latency commit-to-call latency, measured at the first scale only, else null
 * @param roundRates the drain rate of every round at this backlog, in the order they ran (one unless
 *     the contender ran several rounds: the other figures are then the median round's)
 */
record Figures(String mode, String contender, int messages, double enqueuePerSecond, double drainPerSecond,
        double startMillis,
        long distinct, long calls, double statementsPerMessage, double commitsPerMessage, double tuplesPerMessage,
        long heapPeakMb, double databaseCpuPerMessage, double jvmCpuPerMessage, double vacuumCpuPerMessage,
        double walBytesPerMessage, long checkpoints, double jitMillis, Bloat bloat,
        Latency latency, List<String> topStatements, List<Double> roundRates) {

    /**
     * The median round, by drain rate, of this one and {@code others} (the lower of the two middle
     * ones for an even count), with this one's latency (the other rounds have none) and every rate.
     */
    Figures withRounds(List<Figures> others) {
        List<Figures> all = new ArrayList<>();
        all.add(this);
        all.addAll(others);
        List<Figures> byRate = all.stream().sorted(Comparator.comparingDouble(Figures::drainPerSecond)).toList();
        Figures m = byRate.get((byRate.size() - 1) / 2);
        return new Figures(mode, contender, messages, m.enqueuePerSecond, m.drainPerSecond, m.startMillis, m.distinct,
                m.calls, m.statementsPerMessage, m.commitsPerMessage, m.tuplesPerMessage, m.heapPeakMb,
                m.databaseCpuPerMessage, m.jvmCpuPerMessage, m.vacuumCpuPerMessage, m.walBytesPerMessage, m.checkpoints,
                m.jitMillis, m.bloat, latency, m.topStatements, all.stream().map(Figures::drainPerSecond).toList());
    }

    /** Compilation during the drain, as a share of the drain's time: 0.05 is 5 %. */
    double jitShare() {
        return jitMillis / (messages / drainPerSecond * 1000);
    }

    boolean complete() {
        return distinct == messages && calls == messages;
    }

    /** Claim index and dead tuples of outbound_message before and after a drain. */
    record Bloat(long claimIndexBefore, long claimIndexAfter, long tableBefore, long tableAfter, long deadTuples,
            long autovacuums) {}

    /**
     * @param steadyRate the offered load, messages per second, in single-message host transactions
     */
    record Latency(int steadyRate, long steadySamples, double steadyP50, double steadyP99, long idleSamples,
            double idleP50, double idleP99) {}
}

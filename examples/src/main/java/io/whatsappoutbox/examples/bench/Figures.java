package io.whatsappoutbox.examples.bench;

import java.util.List;

/**
 * What one contender did at one scale in one mode.
 *
 * @param distinct messages called at least once (must equal {@code messages})
 * @param calls provider calls in all (more than {@code messages}: a message was sent twice)
 * @param claimIndex sizes of the claim index before and after the drain, bytes (outbox schema only)
 * @param databaseCpuPerMessage CPU microseconds the database server spent per message drained
 * @param jvmCpuPerMessage CPU microseconds this JVM spent per message drained
 * @param vacuumCpuPerMessage CPU microseconds the database spent per message drained on the
 *     {@code VACUUM} run right after the drain (autovacuum is off during it: see {@link BenchRunner})
 * @param latency commit-to-call latency, measured at the first scale only, else null
 */
record Figures(String mode, String contender, int messages, double enqueuePerSecond, double drainPerSecond,
        long distinct, long calls, double statementsPerMessage, double commitsPerMessage, double tuplesPerMessage,
        long heapPeakMb, double databaseCpuPerMessage, double jvmCpuPerMessage, double vacuumCpuPerMessage, Bloat bloat,
        Latency latency, List<String> topStatements) {

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

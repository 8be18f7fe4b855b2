package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;
import java.util.Objects;

/**
 * How a bulk change runs: at most {@code limit} messages, {@code batchSize} per transaction, with
 * {@code pause} between batches so the dispatchers are not handed the whole backlog at once.
 *
 * @param dryRun select exactly what a real run would touch, change nothing
 * @param progress told after each batch (a CLI draws its progress line from it)
 */
public record BulkOptions(int limit, int batchSize, Duration pause, boolean dryRun, ProgressListener progress) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int DEFAULT_BATCH_SIZE = 50;
    public static final Duration DEFAULT_PAUSE = Duration.ofSeconds(1);

    public BulkOptions {
        Violations v = new Violations();
        v.range("limit", limit, 1, OpsRules.MAX_BULK_LIMIT);
        v.range("batchSize", batchSize, 1, OpsRules.MAX_BATCH_SIZE);
        if (v.requireNonNull("pause", pause) && (pause.isNegative() || pause.compareTo(OpsRules.MAX_PAUSE) > 0)) {
            v.add("pause", "is " + pause, "between 0 and " + OpsRules.MAX_PAUSE.toSeconds() + " seconds");
        }
        v.throwIfAny("bulk options");
        progress = Objects.requireNonNullElse(progress, ProgressListener.NONE);
    }

    /** 100 messages, 50 per batch, one second apart, for real. */
    public static BulkOptions defaults() {
        return new BulkOptions(DEFAULT_LIMIT, DEFAULT_BATCH_SIZE, DEFAULT_PAUSE, false, ProgressListener.NONE);
    }

    public BulkOptions withLimit(int value) {
        return new BulkOptions(value, batchSize, pause, dryRun, progress);
    }

    public BulkOptions withBatchSize(int value) {
        return new BulkOptions(limit, value, pause, dryRun, progress);
    }

    public BulkOptions withPause(Duration value) {
        return new BulkOptions(limit, batchSize, value, dryRun, progress);
    }

    public BulkOptions withDryRun(boolean value) {
        return new BulkOptions(limit, batchSize, pause, value, progress);
    }

    public BulkOptions withProgress(ProgressListener value) {
        return new BulkOptions(limit, batchSize, pause, dryRun, value);
    }

    /** Told how far a bulk change got. */
    @FunctionalInterface
    public interface ProgressListener {
        ProgressListener NONE = (done, total) -> { };

        /** {@code done} of {@code total} selected messages handled so far. */
        void progress(int done, int total);
    }
}

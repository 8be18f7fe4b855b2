package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.CompletionReport;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.ResultsRefusedException;
import io.whatsappoutbox.core.store.WebhookDecisions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes results as they come, in batches that form by themselves: it takes what has arrived
 * while the previous write ran (group commit), so a busy dispatcher writes many results per
 * transaction and an idle one writes each at once. A write that fails (the database is away) is
 * kept and tried again with backoff: a result is never dropped, and a result whose lease was lost
 * meanwhile is refused by the store, not applied twice. A batch the store refuses for what it
 * holds ({@link ResultsRefusedException}) is written one result at a time, so that one result the
 * store can never take costs only its own message; a store that is away is only ever waited for.
 */
final class ResultWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ResultWriter.class);

    private final DispatchStore store;
    /** For the receipts that beat their send's result: the store applies them with the result. */
    private final WebhookDecisions decisions;
    private final Clock clock;
    private final int maxBatch;
    private final Consumer<CompletionReport> afterWrite;
    private final Consumer<Integer> written;
    private final BlockingQueue<AttemptResult> queue = new LinkedBlockingQueue<>();
    private volatile boolean stopping;
    private volatile boolean abandoned;
    /**
     * Results refused alone since the last write that succeeded: past {@link #SYSTEMIC_REFUSALS}
     * the refusals are the store's (a broken migration, a trigger refusing everything), not the
     * results', and the writer waits for a fix rather than dead-letter every message.
     */
    private int refusedSinceWrite;
    static final int SYSTEMIC_REFUSALS = 20;

    ResultWriter(DispatchStore store, WebhookDecisions decisions, Clock clock, int maxBatch,
            Consumer<CompletionReport> afterWrite, Consumer<Integer> written) {
        this.store = store;
        this.decisions = decisions;
        this.clock = clock;
        this.maxBatch = maxBatch;
        this.afterWrite = afterWrite;
        this.written = written;
    }

    void submit(AttemptResult result) {
        queue.add(result);
    }

    /** Asks the writer to finish what is queued and stop. */
    void stop() {
        stopping = true;
    }

    /** Gives up on results that cannot be written: their leases expire and the messages are sent again. */
    void abandon() {
        abandoned = true;
    }

    int backlog() {
        return queue.size();
    }

    @Override
    public void run() {
        writeUntil(() -> stopping);
    }

    /**
     * Writes what comes, in the calling thread, until nothing is queued and {@code finished} says
     * nothing more will come: the writer threads' loop, and {@code dispatchOnce()}'s without them.
     */
    void writeUntil(BooleanSupplier finished) {
        List<AttemptResult> batch = new ArrayList<>(maxBatch);
        Duration backoff = Duration.ofMillis(100);
        while (true) {
            if (batch.isEmpty()) {
                try {
                    AttemptResult first = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (queue.isEmpty() && finished.getAsBoolean()) {
                            return;
                        }
                        continue;
                    }
                    batch.add(first);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                queue.drainTo(batch, maxBatch - 1);
            }
            try {
                CompletionReport report = store.complete(batch, decisions, clock.instant());
                written.accept(batch.size());
                batch.clear();
                backoff = Duration.ofMillis(100);
                refusedSinceWrite = 0;
                afterWrite.accept(report);
                continue;
            } catch (ResultsRefusedException e) {
                if (writeOneByOne(batch)) {
                    backoff = Duration.ofMillis(100);
                    continue;
                }
                log.error("Writing {} result(s) failed, retrying in {} ms: {}", batch.size(), backoff.toMillis(),
                        SafeText.describe(e));
            } catch (RuntimeException e) {
                if (!abandoned) {
                    log.error("Writing {} result(s) failed, retrying in {} ms: {}", batch.size(), backoff.toMillis(),
                            SafeText.describe(e));
                }
            }
            if (abandoned) {
                log.error("Gave up writing {} result(s) at close ({} more queued): their leases will expire and"
                        + " the messages will be sent again", batch.size(), queue.size());
                return;
            }
            if (!sleep(backoff)) {
                Thread.currentThread().interrupt();
            }
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10)
                    : backoff.multipliedBy(2);
        }
    }

    /**
     * Writes the batch one result at a time; a result the store refuses alone is dead-lettered
     * instead ({@link OutboxErrorCodes#UNWRITABLE_RESULT}, without the provider's texts), so that it
     * neither blocks the writer nor has its message sent again after the lease. What is not written
     * (the store went away, or refuses everything) stays in {@code batch} for the usual retry.
     *
     * @return whether the whole batch was written
     */
    private boolean writeOneByOne(List<AttemptResult> batch) {
        while (!batch.isEmpty()) {
            AttemptResult r = batch.get(0);
            RuntimeException failure = writeAlone(r);
            if (failure instanceof ResultsRefusedException) {
                if (++refusedSinceWrite > SYSTEMIC_REFUSALS) {
                    log.error("The store refused {} results in a row, none written between them: waiting for the"
                            + " store to be fixed rather than dead-letter every message", refusedSinceWrite);
                    return false;
                }
                AttemptResult dead = unwritable(r, failure);
                if (writeAlone(dead) != null) {
                    return false;
                }
                log.error("Dead-lettered message {} of org {} with {}: its {} result from {} could not be written: {}",
                        r.messageId(), r.message().orgId(), OutboxErrorCodes.UNWRITABLE_RESULT, r.outcome(),
                        r.provider(), SafeText.describe(failure));
            } else if (failure != null) {
                return false;
            } else {
                refusedSinceWrite = 0;
            }
            batch.remove(0);
        }
        return true;
    }

    /** Writes one result: null when written, else how it failed. */
    private RuntimeException writeAlone(AttemptResult r) {
        CompletionReport report;
        try {
            report = store.complete(List.of(r), decisions, clock.instant());
        } catch (RuntimeException e) {
            return e;
        }
        written.accept(1);
        try {
            afterWrite.accept(report);
        } catch (RuntimeException e) {
            log.warn("After writing the result of message {}: {}", r.messageId(), SafeText.describe(e));
        }
        return null;
    }

    private static AttemptResult unwritable(AttemptResult r, RuntimeException failure) {
        ErrorInfo error = new ErrorInfo(OutboxErrorCodes.UNWRITABLE_RESULT,
                "the " + r.outcome() + " result could not be written (" + failure.getClass().getSimpleName()
                        + "); the provider may have the message", ErrorCategory.UNKNOWN);
        return new AttemptResult(r.message(), r.leaseOwner(), Outcome.DEAD_LETTER, r.provider(), r.startedAt(),
                r.duration(), null, error, r.httpStatus(), null, true, null, false, null);
    }

    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}

package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.spi.AttemptResult;
import io.whatsappoutbox.core.spi.CompletionReport;
import io.whatsappoutbox.core.spi.DispatchStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes results as they come, in batches that form by themselves: it takes what has arrived
 * while the previous write ran (group commit), so a busy dispatcher writes many results per
 * transaction and an idle one writes each at once. A write that fails (the database is away) is
 * kept and tried again with backoff: a result is never dropped, and a result whose lease was lost
 * meanwhile is refused by the store, not applied twice.
 */
final class ResultWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ResultWriter.class);

    private final DispatchStore store;
    private final Clock clock;
    private final int maxBatch;
    private final Consumer<CompletionReport> afterWrite;
    private final Consumer<Integer> written;
    private final BlockingQueue<AttemptResult> queue = new LinkedBlockingQueue<>();
    private volatile boolean stopping;
    private volatile boolean abandoned;

    ResultWriter(DispatchStore store, Clock clock, int maxBatch, Consumer<CompletionReport> afterWrite,
            Consumer<Integer> written) {
        this.store = store;
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
        List<AttemptResult> batch = new ArrayList<>(maxBatch);
        Duration backoff = Duration.ofMillis(100);
        while (true) {
            if (batch.isEmpty()) {
                try {
                    AttemptResult first = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (stopping && queue.isEmpty()) {
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
                CompletionReport report = store.complete(batch, clock.instant());
                written.accept(batch.size());
                batch.clear();
                backoff = Duration.ofMillis(100);
                afterWrite.accept(report);
            } catch (RuntimeException e) {
                if (abandoned) {
                    log.error("Gave up writing {} result(s) at close ({} more queued): their leases will expire and"
                            + " the messages will be sent again", batch.size(), queue.size());
                    return;
                }
                log.error("Writing {} result(s) failed, retrying in {} ms: {}", batch.size(), backoff.toMillis(),
                        SafeText.describe(e));
                if (!sleep(backoff)) {
                    Thread.currentThread().interrupt();
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10)
                        : backoff.multipliedBy(2);
            }
        }
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

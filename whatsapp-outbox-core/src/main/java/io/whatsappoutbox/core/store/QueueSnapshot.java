package io.whatsappoutbox.core.store;

import io.whatsappoutbox.core.Channel;
import java.time.Instant;
import java.util.Map;

/**
 * The queue's gauges, read cheaply from partial indexes by one refresh every few seconds, never by
 * a full-table count per scrape.
 *
 * @param queued messages waiting (due or scheduled later)
 * @param sending messages under a lease
 * @param deadLetter dead-letter size per channel
 * @param stuckQueued QUEUED messages due for longer than the threshold
 * @param stuckSending SENDING messages whose lease expired
 */
public record QueueSnapshot(Instant takenAt, long queued, long sending, Map<Channel, Long> deadLetter,
        long stuckQueued, long stuckSending) {
    public QueueSnapshot {
        deadLetter = Map.copyOf(deadLetter);
    }

    public long deadLetterTotal() {
        return deadLetter.values().stream().mapToLong(Long::longValue).sum();
    }
}

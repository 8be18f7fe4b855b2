package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The runbook's queue status and stuck-message checks in one result.
 *
 * @param statuses every status, in lifecycle order, counted over messages created in the window
 * @param queuedNow QUEUED messages now, whatever their age (due or scheduled later)
 * @param sendingNow SENDING messages now
 * @param stuckQueued QUEUED messages due for longer than the threshold; scheduled ones are not stuck
 * @param stuckSending SENDING messages whose lease expired (their dispatcher died or hung)
 * @param stuckMessages a sample of both kinds, longest stuck first
 */
public record QueueStatus(Instant asOf, String scope, Duration window, List<StatusCount> statuses, long queuedNow,
        long sendingNow, long stuckQueued, long stuckSending, List<StuckMessage> stuckMessages) {

    public QueueStatus {
        statuses = List.copyOf(statuses);
        stuckMessages = List.copyOf(stuckMessages);
    }

    /** The count of one status in the window. */
    public long count(MessageStatus status) {
        return statuses.stream().filter(s -> s.status() == status).mapToLong(StatusCount::count).sum();
    }

    /**
     * @param oldestCreatedAt null when the count is 0, like the other instants
     * @param oldestUpdatedAt the runbook's "oldest update": a retry that does not move shows here
     */
    public record StatusCount(MessageStatus status, long count, Instant oldestCreatedAt, Instant newestCreatedAt,
            Instant oldestUpdatedAt, Instant newestUpdatedAt, double averageAttempts) {}

    /**
     * A message not progressing. Its recipient is masked.
     *
     * @param stuckSince when it became due (QUEUED) or its lease ran out (SENDING)
     */
    public record StuckMessage(long id, String orgId, Channel channel, String recipient, MessageStatus status,
            int attemptCount, Instant createdAt, Instant stuckSince, Duration stuckFor) {}
}

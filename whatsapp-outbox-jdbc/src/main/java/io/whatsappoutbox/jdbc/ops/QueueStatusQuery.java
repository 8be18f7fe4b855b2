package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.jdbc.internal.OpsChecks;
import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;

/**
 * What the queue status looks at.
 *
 * @param window counts per status cover messages created within it (the runbook's 24 hours)
 * @param stuckQueuedAfter a QUEUED message due for longer than this is stuck (the runbook's 2 hours)
 * @param channel one channel, or null for both
 * @param sampleSize how many stuck messages to list, 0 to 200
 */
public record QueueStatusQuery(Duration window, Duration stuckQueuedAfter, Channel channel, int sampleSize) {
    public QueueStatusQuery {
        Violations v = new Violations();
        OpsChecks.age(v, "window", window, Duration.ofMinutes(1));
        OpsChecks.age(v, "stuckQueuedAfter", stuckQueuedAfter, Duration.ZERO);
        v.range("sampleSize", sampleSize, 0, 200);
        v.throwIfAny("queue status query");
    }

    public static QueueStatusQuery defaults() {
        return new QueueStatusQuery(Duration.ofHours(24), Duration.ofHours(2), null, 20);
    }

    public QueueStatusQuery withWindow(Duration value) {
        return new QueueStatusQuery(value, stuckQueuedAfter, channel, sampleSize);
    }

    public QueueStatusQuery withStuckQueuedAfter(Duration value) {
        return new QueueStatusQuery(window, value, channel, sampleSize);
    }

    public QueueStatusQuery withChannel(Channel value) {
        return new QueueStatusQuery(window, stuckQueuedAfter, value, sampleSize);
    }

    public QueueStatusQuery withSampleSize(int value) {
        return new QueueStatusQuery(window, stuckQueuedAfter, channel, value);
    }
}

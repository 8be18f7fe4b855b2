package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.jdbc.internal.OpsChecks;
import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;

/**
 * What the failure analysis looks at.
 *
 * @param window failures (messages dead-lettered) within it: the runbook's last hour
 * @param trendWindow the failure rate per hour covers it: the runbook's 6 hours
 * @param channel one channel, or null for both
 * @param top how many affected orgs to list
 */
public record FailureQuery(Duration window, Duration trendWindow, Channel channel, int top) {
    public FailureQuery {
        Violations v = new Violations();
        OpsChecks.age(v, "window", window, Duration.ofMinutes(1));
        OpsChecks.age(v, "trendWindow", trendWindow, Duration.ofHours(1));
        if (trendWindow != null && trendWindow.compareTo(Duration.ofDays(31)) > 0) {
            v.add("trendWindow", "is " + trendWindow, "at most 31 days (one row per hour)");
        }
        v.range("top", top, 1, 1000);
        v.throwIfAny("failure query");
    }

    public static FailureQuery defaults() {
        return new FailureQuery(Duration.ofHours(1), Duration.ofHours(6), null, 10);
    }

    public FailureQuery withWindow(Duration value) {
        return new FailureQuery(value, trendWindow, channel, top);
    }

    public FailureQuery withTrendWindow(Duration value) {
        return new FailureQuery(window, value, channel, top);
    }

    public FailureQuery withChannel(Channel value) {
        return new FailureQuery(window, trendWindow, value, top);
    }

    public FailureQuery withTop(int value) {
        return new FailureQuery(window, trendWindow, channel, value);
    }
}

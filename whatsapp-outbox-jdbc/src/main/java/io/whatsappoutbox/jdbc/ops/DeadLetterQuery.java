package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.internal.Violations;

/**
 * What the dead-letter report covers.
 *
 * @param channel one channel, or null for both
 * @param growthDays days of growth to show, today included (the runbook's 7)
 * @param top how many codes and orgs to list
 */
public record DeadLetterQuery(Channel channel, int growthDays, int top) {
    public DeadLetterQuery {
        Violations v = new Violations();
        v.range("growthDays", growthDays, 1, 90);
        v.range("top", top, 1, 1000);
        v.throwIfAny("dead-letter query");
    }

    public static DeadLetterQuery defaults() {
        return new DeadLetterQuery(null, 7, 10);
    }

    public DeadLetterQuery withChannel(Channel value) {
        return new DeadLetterQuery(value, growthDays, top);
    }

    public DeadLetterQuery withGrowthDays(int value) {
        return new DeadLetterQuery(channel, value, top);
    }

    public DeadLetterQuery withTop(int value) {
        return new DeadLetterQuery(channel, growthDays, value);
    }
}

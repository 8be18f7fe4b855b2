package io.whatsappoutbox.core.store;

/**
 * The share of the lanes (an org on a channel) a claim takes first when {@code count} claim threads
 * claim side by side: each takes its own lanes, so that no claim steps over the rows another one
 * has just locked. A claim whose share holds nothing due takes from every due lane.
 *
 * @param index this claim thread's share, from 0
 * @param count how many claim threads share the lanes
 */
public record ClaimShare(int index, int count) {
    /** Every lane: one claim thread, or a claim made outside the claim threads. */
    public static final ClaimShare ALL = new ClaimShare(0, 1);

    public ClaimShare {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("index must be between 0 and count - 1 (" + (count - 1) + "), was " + index);
        }
    }
}

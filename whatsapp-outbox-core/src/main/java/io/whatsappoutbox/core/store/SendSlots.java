package io.whatsappoutbox.core.store;

import java.time.Instant;
import java.util.Objects;

/**
 * The send positions of one sending number granted to a batch by a store that paces every
 * dispatcher instance together: {@code count} positions from {@code first}, one every
 * {@code 1 / perSecond} second, on the dispatcher's clock. No other batch, of any instance, holds
 * a position of that sender between them.
 *
 * @param first the first position (on the clock of the {@code now} the reservation was given)
 * @param count how many positions were granted, 0 when none was free within the wait
 * @param perSecond the sender's rate the positions are spaced by
 */
public record SendSlots(Instant first, int count, int perSecond) {
    public SendSlots {
        Objects.requireNonNull(first, "first");
        if (count < 0 || perSecond < 1) {
            throw new IllegalArgumentException("count must be >= 0 and perSecond >= 1, not " + count + " and "
                    + perSecond);
        }
    }

    /** The instant of position {@code i} (0-based, below {@link #count()}). */
    public Instant position(int i) {
        return first.plusNanos(i * 1_000_000_000L / perSecond);
    }
}

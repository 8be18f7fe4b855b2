package io.whatsappoutbox.jdbc.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the next claim starts its walk of the lanes, so that no lane is always last. The walk goes
 * down from the cursor, then wraps from the top. Pure: the claim statement does the walk. Internal.
 */
final class LaneCursor {
    private final AtomicReference<Lane> cursor = new AtomicReference<>(Lane.TOP);

    /** Where the next claim starts; hand the same instance back to {@link #advance}. */
    Lane from() {
        return cursor.get();
    }

    /**
     * The next claim starts below the lowest lane this one served under {@code from}, or below the
     * lowest it served when it served none under {@code from} (it wrapped right away), or from the
     * top when it served nothing. A claim that ran meanwhile and moved the cursor wins.
     */
    void advance(Lane from, List<Lane> served) {
        Lane lowestBelow = null;
        Lane lowest = null;
        for (Lane lane : served) {
            if (lowest == null || lane.compareTo(lowest) < 0) {
                lowest = lane;
            }
            if (lane.compareTo(from) < 0 && (lowestBelow == null || lane.compareTo(lowestBelow) < 0)) {
                lowestBelow = lane;
            }
        }
        cursor.compareAndSet(from, lowestBelow != null ? lowestBelow : lowest != null ? lowest : Lane.TOP);
    }
}

package io.whatsappoutbox.jdbc.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per lane, the earliest due time the last full claim took there. The lane's entries before it are
 * rows already claimed: dead, but in the claim index until vacuum, and each claim that reads the
 * lane from its head reads their index pages (in a drain of a million, 2,200 of a claim's 5,600
 * buffers). The next claim starts at the mark instead. Pure: the claim statement reads the marks.
 * Internal.
 */
final class LaneMarks {
    /**
     * How long a lane's mark is trusted. A message that becomes due behind a mark (a host
     * transaction open longer than the lane's lag, a clock behind the others) waits at most this long.
     */
    static final Duration MARK_LIFETIME = Duration.ofSeconds(1);

    /**
     * How far behind a lane must be for a mark: only a backlog's drain has many claimed entries to
     * skip, and a lane that keeps up would have its own transactions still committing behind a mark.
     */
    static final Duration MARK_MIN_LAG = Duration.ofSeconds(5);

    /** A message a claim took: its lane and due time. */
    record Taken(Lane lane, Instant due) {}

    /** The marks trusted at a time, as the claim statement's three parallel arrays take them. */
    record Trusted(List<String> orgs, List<String> channels, List<Instant> from) {}

    /** {@code since}: when the lane was last read from its head. */
    private record Mark(Instant from, Instant since) {
        boolean trustedAt(Instant now) {
            return !now.isBefore(since) && now.isBefore(since.plus(MARK_LIFETIME));
        }
    }

    private final Map<Lane, Mark> marks = new ConcurrentHashMap<>();

    /** The marks a claim at {@code now} starts from; those past their lifetime are forgotten. */
    Trusted trustedAt(Instant now) {
        List<String> orgs = new ArrayList<>();
        List<String> channels = new ArrayList<>();
        List<Instant> from = new ArrayList<>();
        for (Map.Entry<Lane, Mark> e : marks.entrySet()) {
            if (e.getValue().trustedAt(now)) {
                orgs.add(e.getKey().orgId());
                channels.add(e.getKey().channel());
                from.add(e.getValue().from());
            } else {
                marks.remove(e.getKey(), e.getValue());
            }
        }
        return new Trusted(orgs, channels, from);
    }

    /**
     * Each lane that gave its whole share of the batch, and whose earliest due time taken there is
     * at least {@link #MARK_MIN_LAG} old, is marked at that time (keeping the time it was last read
     * from its head). A lane that gave less ran out above its mark: the next claim reads it from its
     * head, where a message that became due behind the mark would be; so does a lane that keeps up.
     * A lane that gave nothing keeps its mark until the mark's lifetime ends.
     */
    void afterClaim(List<Taken> claimed, int laneShare, Instant now) {
        Map<Lane, Instant> earliest = new HashMap<>();
        Map<Lane, Integer> taken = new HashMap<>();
        for (Taken t : claimed) {
            earliest.merge(t.lane(), t.due(), (a, b) -> a.isBefore(b) ? a : b);
            taken.merge(t.lane(), 1, Integer::sum);
        }
        Instant lagging = now.minus(MARK_MIN_LAG);
        earliest.forEach((lane, from) -> {
            if (taken.get(lane) < laneShare || from.isAfter(lagging)) {
                marks.remove(lane);
            } else {
                marks.merge(lane, new Mark(from, now),
                        (old, fresh) -> old.trustedAt(now) ? new Mark(from, old.since()) : fresh);
            }
        });
    }
}

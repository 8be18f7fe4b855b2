package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.store.SendSlots;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Send positions per sending number shared by every dispatcher on the database
 * ({@code whatsapp_pacing}, one row per number): one statement per claimed batch takes, for each
 * of its numbers, the positions its messages need after the number's next free one, spaced by the
 * number's rate. The row lock of the upsert orders concurrent batches of one number: the second
 * starts where the first ended. Positions are on the dispatchers' clock (the {@code now} given):
 * the instances' clocks must agree within the lateness a message is allowed (NTP does).
 * Internal.
 */
public final class SharedPacing {
    /**
     * For each number (sorted: concurrent batches lock their rows in one order), from its next free
     * position or {@code :now} when that is past: as many positions as wanted that fall within
     * {@code :withinMicros} of now, the row moved past them. EXCLUDED's {@code granted} is what the
     * insert would grant (the wanted count capped by the wait), an upper bound of the update's.
     */
    static final String RESERVE = """
            INSERT INTO whatsapp_pacing AS p (sender_id, next_at, rate, granted_from, granted)
            SELECT a.sender_id,
                   :now::timestamptz + a.n * interval '1 second' / a.rate,
                   a.rate, :now::timestamptz, a.n
              FROM (SELECT u.sender_id, u.rate,
                           least(u.wanted, floor(:withinMicros::bigint * u.rate / 1000000.0)::int) AS n
                      FROM unnest(:senders::text[], :wanted::int[], :rates::int[]) AS u(sender_id, wanted, rate)) a
             ORDER BY a.sender_id
            ON CONFLICT (sender_id) DO UPDATE
               SET granted_from = greatest(p.next_at, EXCLUDED.granted_from),
                   granted = least(EXCLUDED.granted, greatest(0, floor(extract(epoch FROM
                           EXCLUDED.granted_from + make_interval(secs => :withinMicros::bigint / 1000000.0)
                           - greatest(p.next_at, EXCLUDED.granted_from)) * EXCLUDED.rate)::int)),
                   next_at = greatest(p.next_at, EXCLUDED.granted_from)
                           + least(EXCLUDED.granted, greatest(0, floor(extract(epoch FROM
                               EXCLUDED.granted_from + make_interval(secs => :withinMicros::bigint / 1000000.0)
                               - greatest(p.next_at, EXCLUDED.granted_from)) * EXCLUDED.rate)::int))
                             * interval '1 second' / EXCLUDED.rate,
                   rate = EXCLUDED.rate
            RETURNING p.sender_id, p.granted_from, p.granted, p.rate""";

    private final Jdbi jdbi;
    private final PlainStatement reserve;

    public SharedPacing(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.reserve = new PlainStatement(jdbi, RESERVE);
    }

    public Map<String, SendSlots> reserve(Map<String, Integer> wanted, Map<String, Integer> perSecond, Duration within,
            Instant now) {
        if (wanted.isEmpty()) {
            return Map.of();
        }
        List<String> senders = new ArrayList<>(wanted.keySet());
        senders.sort(null);
        Integer[] counts = senders.stream().map(wanted::get).toArray(Integer[]::new);
        Integer[] rates = senders.stream().map(s -> perSecond.getOrDefault(s, 1)).toArray(Integer[]::new);
        Map<String, SendSlots> granted = new HashMap<>();
        StoreWork.inTransaction(jdbi, "send position reservation", h -> {
            try (PlainStatement.Bound q = reserve.prepare(h.getConnection())
                    .array("senders", "text", senders.toArray())
                    .array("wanted", "integer", counts)
                    .array("rates", "integer", rates)
                    .set("withinMicros", (Object) (within.toNanos() / 1000))
                    .set("now", now);
                    ResultSet rs = q.statement().executeQuery()) {
                while (rs.next()) {
                    String sender = rs.getString("sender_id");
                    granted.put(sender, new SendSlots(Times.instant(rs, "granted_from"), rs.getInt("granted"),
                            rs.getInt("rate")));
                }
                return null;
            }
        });
        return granted;
    }
}

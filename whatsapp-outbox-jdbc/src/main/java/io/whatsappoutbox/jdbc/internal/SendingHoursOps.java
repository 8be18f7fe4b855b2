package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.SendingHours;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.store.SendingHolds;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.SendingHoursChange;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Orgs' sending hours in {@code org_sending_hours}: set and cleared as audited operations. Internal. */
final class SendingHoursOps {
    private static final Logger log = LoggerFactory.getLogger(SendingHoursOps.class);
    private static final String COLUMNS = "org_id, opens, closes, days, default_zone, hold_transactional";

    private final Jdbi jdbi;
    private final Clock clock;

    SendingHoursOps(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    Optional<SendingHours> get(String orgId) {
        Violations v = new Violations();
        v.orgId("org", orgId);
        v.throwIfAny("sending hours query");
        return jdbi.withHandle(h -> row(h, orgId));
    }

    /** Sets ({@code hours} given) or clears an org's hours in one transaction with its audit row. */
    SendingHoursChange set(String orgId, SendingHours hours, Operator operator, boolean dryRun) {
        Violations v = new Violations();
        v.orgId("org", orgId);
        v.requireNonNull("operator", operator);
        v.throwIfAny("sending hours change");
        OperationKind kind = hours == null ? OperationKind.CLEAR_SENDING_HOURS : OperationKind.SET_SENDING_HOURS;
        Map<String, Object> filter = new LinkedHashMap<>();
        if (hours != null) {
            filter.putAll(describe(hours));
        }
        AuditLog.Entry entry = AuditLog.Entry.start(kind, operator, orgId, filter, dryRun);
        return jdbi.inTransaction(h -> {
            Instant now = clock.instant();
            SendingHours before = row(h, orgId).orElse(null);
            int affected;
            if (dryRun) {
                affected = hours == null ? (before == null ? 0 : 1) : 1;
            } else if (hours == null) {
                affected = h.createUpdate("DELETE FROM org_sending_hours WHERE org_id = :org").bind("org", orgId).execute();
            } else {
                affected = h.createUpdate("""
                        INSERT INTO org_sending_hours (org_id, opens, closes, days, default_zone, hold_transactional,
                                                       updated_at, updated_by)
                        VALUES (:org, :opens, :closes, :days, :zone, :holdTransactional, :now, :actor)
                        ON CONFLICT (org_id) DO UPDATE SET opens = excluded.opens, closes = excluded.closes,
                            days = excluded.days, default_zone = excluded.default_zone,
                            hold_transactional = excluded.hold_transactional, updated_at = excluded.updated_at,
                            updated_by = excluded.updated_by""")
                        .bind("org", orgId).bind("opens", hours.opens()).bind("closes", hours.closes())
                        .bindArray("days", Short.class, isoDays(hours.days()))
                        .bind("zone", hours.defaultZone().getId()).bind("holdTransactional", hours.holdsTransactional())
                        .bind("now", now).bind("actor", operator.name())
                        .execute();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("before", before == null ? null : describe(before));
            details.put("after", hours == null ? null : describe(hours));
            AuditLog.insert(h, entry, affected, details, now);
            return new SendingHoursChange(entry.operationId(), kind, dryRun, before, hours);
        });
    }

    /** Every org's hours, for the dispatcher's holds; a row this JVM cannot read is skipped, with a warning. */
    static List<SendingHolds.OrgSendingHours> all(Handle h) {
        return h.createQuery("SELECT " + COLUMNS + " FROM org_sending_hours")
                .map((rs, ctx) -> {
                    try {
                        return new SendingHolds.OrgSendingHours(rs.getString("org_id"), read(rs));
                    } catch (RuntimeException e) {
                        log.warn("Sending hours of org {} unreadable, the org sends at any hour: {}",
                                rs.getString("org_id"), e.getMessage());
                        return null;
                    }
                })
                .list().stream().filter(Objects::nonNull).toList();
    }

    private static Optional<SendingHours> row(Handle h, String orgId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM org_sending_hours WHERE org_id = :org").bind("org", orgId)
                .map((rs, ctx) -> read(rs)).findFirst();
    }

    private static SendingHours read(ResultSet rs) throws SQLException {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        Array a = rs.getArray("days");
        for (Object d : (Object[]) a.getArray()) {
            days.add(DayOfWeek.of(((Number) d).intValue()));
        }
        return new SendingHours(rs.getObject("opens", LocalTime.class),
                rs.getObject("closes", LocalTime.class), days, ZoneId.of(rs.getString("default_zone")),
                rs.getBoolean("hold_transactional"));
    }

    private static Short[] isoDays(Set<DayOfWeek> days) {
        return days.stream().sorted().map(d -> (short) d.getValue()).toArray(Short[]::new);
    }

    static Map<String, Object> describe(SendingHours s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("opens", s.opens().toString());
        d.put("closes", s.closes().toString());
        d.put("days", s.days().stream().sorted().map(DayOfWeek::name).toList());
        d.put("defaultZone", s.defaultZone().getId());
        d.put("holdTransactional", s.holdsTransactional());
        return d;
    }
}

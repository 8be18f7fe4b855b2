package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.jdbc.ops.DatabaseHealth;
import io.whatsappoutbox.jdbc.ops.DatabaseHealth.IndexHealth;
import io.whatsappoutbox.jdbc.ops.DatabaseHealth.TableHealth;
import java.sql.Array;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** The runbook's maintenance checks, read from PostgreSQL's statistics views. Internal. */
final class DatabaseHealthQuery {
    /** The tables the outbox's schema creates. */
    static final List<String> TABLES = List.of("outbound_message", "outbound_attempt", "whatsapp_provider_config",
            "whatsapp_rate_limit", "whatsapp_session_window", "consentement", "message", "webhook_event",
            "pending_receipt", "outbox_audit");

    private final Jdbi jdbi;
    private final Clock clock;

    DatabaseHealthQuery(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    DatabaseHealth read() {
        return jdbi.withHandle(h -> {
            List<TableHealth> tables = h.createQuery(ReportSql.TABLE_HEALTH)
                    .bindArray("tables", String.class, TABLES)
                    .map((rs, ctx) -> {
                        long live = rs.getLong("live");
                        long dead = rs.getLong("dead");
                        return new TableHealth(rs.getString("table_name"), rs.getLong("total_bytes"),
                                rs.getLong("table_bytes"), rs.getLong("index_bytes"), live, dead,
                                live + dead == 0 ? 0 : Reports.round2(100.0 * dead / (live + dead)),
                                Times.instant(rs, "last_vacuum"), Times.instant(rs, "last_autovacuum"),
                                Times.instant(rs, "last_analyze"), Times.instant(rs, "last_autoanalyze"),
                                rs.getLong("autovacuum_count"), settings(rs.getArray("reloptions")));
                    })
                    .list();
            List<IndexHealth> indexes = h.createQuery(ReportSql.INDEX_HEALTH)
                    .bindArray("tables", String.class, TABLES)
                    .map((rs, ctx) -> new IndexHealth(rs.getString("table_name"), rs.getString("index_name"),
                            rs.getLong("bytes"), rs.getLong("scans"), rs.getLong("tuples_read"),
                            rs.getLong("tuples_fetched")))
                    .list();
            return new DatabaseHealth(clock.instant(), tables, indexes);
        });
    }

    /** {@code {fillfactor=90,autovacuum_vacuum_scale_factor=0.01}} as a map, in the schema's order. */
    private static Map<String, String> settings(Array reloptions) throws java.sql.SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        if (reloptions == null) {
            return out;
        }
        for (Object o : (Object[]) reloptions.getArray()) {
            String s = o.toString();
            int eq = s.indexOf('=');
            out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
        }
        return out;
    }
}

package io.whatsappoutbox.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.jdbc.ops.AuditEntry;
import io.whatsappoutbox.jdbc.ops.AuditQuery;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.OperationProgress;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code outbox_audit}: one row per operation, written in the transaction of the change it
 * records (a bulk change writes it before its first batch and updates its counts with each batch,
 * so an interrupted run still shows how far it got). Internal.
 */
final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbi jdbi;
    private final Clock clock;

    AuditLog(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** The identity of one audited operation. */
    record Entry(UUID operationId, OperationKind kind, Operator operator, String scope, Map<String, Object> filter,
            boolean dryRun) {
        static Entry start(OperationKind kind, Operator operator, String scope, Map<String, Object> filter,
                boolean dryRun) {
            return new Entry(UUID.randomUUID(), kind, operator, scope, filter, dryRun);
        }
    }

    static String json(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit details are plain maps and lists", e);
        }
    }

    void insert(Handle h, Entry e, int affected, Map<String, Object> details) {
        insert(h, e, affected, details, clock.instant());
    }

    /** For a writer with its own time (a webhook batch's), without an audit log of its own. */
    static void insert(Handle h, Entry e, int affected, Map<String, Object> details, Instant now) {
        h.createUpdate(ChangeSql.INSERT_AUDIT)
                .bind("operationId", e.operationId())
                .bind("action", e.kind().name())
                .bind("operator", e.operator().name())
                .bind("reason", e.operator().reason())
                .bind("scope", e.scope())
                .bind("filter", json(e.filter()))
                .bind("dryRun", e.dryRun())
                .bind("affected", affected)
                .bind("details", json(details))
                .bind("now", now)
                .execute();
    }

    void insert(Entry e, int affected, Map<String, Object> details) {
        jdbi.useTransaction(h -> insert(h, e, affected, details));
    }

    void update(Handle h, Entry e, int affected, Map<String, Object> details) {
        h.createUpdate(ChangeSql.UPDATE_AUDIT)
                .bind("operationId", e.operationId())
                .bind("affected", affected)
                .bind("details", json(details))
                .execute();
    }

    void update(Entry e, int affected, Map<String, Object> details) {
        jdbi.useTransaction(h -> update(h, e, affected, details));
    }

    java.util.List<AuditEntry> read(Scope scope, AuditQuery q) {
        Instant now = clock.instant();
        return jdbi.withHandle(h -> h.createQuery(ChangeSql.SELECT_AUDIT)
                .bind("since", now.minus(q.since()))
                .bind("org", scope.orgIdOrNull())
                .bind("action", q.kind() == null ? null : q.kind().name())
                .bind("operator", q.operator())
                .bind("operationId", q.operationId())
                .bind("limit", q.limit())
                .map((rs, ctx) -> entry(rs))
                .list());
    }

    OperationProgress progress(Scope scope, UUID operationId) {
        return jdbi.withHandle(h -> {
            AuditEntry op = h.createQuery(ChangeSql.OPERATION)
                    .bind("operationId", operationId)
                    .map((rs, ctx) -> entry(rs))
                    .findFirst()
                    .filter(e -> scope.covers(e.scope()))
                    .orElseThrow(() -> new NoSuchElementException(
                            "No operation " + operationId + " in scope " + scope.label()));
            Map<MessageStatus, Long> counts = new EnumMap<>(MessageStatus.class);
            for (MessageStatus s : MessageStatus.values()) {
                counts.put(s, 0L);
            }
            h.createQuery(ChangeSql.OPERATION_STATUS_COUNTS)
                    .bind("operationId", operationId)
                    .bind("org", scope.orgIdOrNull())
                    .map((rs, ctx) -> Map.entry(MessageStatus.valueOf(rs.getString("status")), rs.getLong("n")))
                    .forEach(en -> counts.put(en.getKey(), en.getValue()));
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            long accepted = counts.entrySet().stream().filter(en -> en.getKey().isAccepted())
                    .mapToLong(Map.Entry::getValue).sum();
            long settled = accepted + counts.get(MessageStatus.FAILED);
            Double rate = settled == 0 ? null : Reports.round1(100.0 * accepted / settled);
            return new OperationProgress(op.operationId(), op.action(), op.operator(), op.reason(), op.scope(),
                    op.dryRun(), op.affectedCount(), op.createdAt(), counts, total, rate);
        });
    }

    private static AuditEntry entry(ResultSet rs) throws SQLException {
        return new AuditEntry(rs.getLong("id"), rs.getObject("operation_id", UUID.class), rs.getString("action"),
                rs.getString("operator"), rs.getString("reason"), rs.getString("org_scope"),
                rs.getString("filter_json"), rs.getBoolean("dry_run"), rs.getInt("affected_count"),
                rs.getString("details_json"), Times.instant(rs, "created_at"));
    }
}

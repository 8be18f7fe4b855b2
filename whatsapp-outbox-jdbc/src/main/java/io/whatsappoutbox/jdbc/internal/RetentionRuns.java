package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.RetentionPolicy;
import io.whatsappoutbox.jdbc.ops.RetentionResult;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * The retention policy applied: settled history deleted in batches, each a short transaction of its
 * own, rows a claim or another run holds skipped. Internal.
 */
final class RetentionRuns {
    static final int BATCH = 1000;
    /** Only statuses no dispatcher, receipt or operator procedure moves on from. */
    private static final String SETTLED = "('SENT', 'DELIVERED', 'READ', 'CANCELLED')";
    private static final String SETTLED_ROWS = """
            SELECT m.id FROM outbound_message m
             WHERE m.status IN\s""" + SETTLED + """
               AND m.updated_at < :cutoff AND (CAST(:org AS text) IS NULL OR m.org_id = :org)
               -- settled before the cutoff, so created before it: the BRIN index on created_at narrows the scan
               AND m.created_at < :cutoff""";
    private static final String DELETE_SETTLED = """
            WITH doomed AS (""" + SETTLED_ROWS + """
                 LIMIT :limit FOR UPDATE SKIP LOCKED),
            attempts AS (DELETE FROM outbound_attempt a USING doomed d WHERE a.message_id = d.id RETURNING 1),
            messages AS (DELETE FROM outbound_message m USING doomed d WHERE m.id = d.id RETURNING 1)
            SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM attempts) AS attempts""";
    private static final String COUNT_SETTLED = """
            WITH doomed AS (""" + SETTLED_ROWS + """
            )
            SELECT (SELECT count(*) FROM doomed) AS messages,
                   (SELECT count(*) FROM outbound_attempt a JOIN doomed d ON a.message_id = d.id) AS attempts""";
    private static final String INBOUND_ROWS = """
            SELECT id FROM message WHERE created_at < :cutoff AND (CAST(:org AS text) IS NULL OR org_id = :org)""";
    private static final String AUDIT_ROWS = """
            SELECT id FROM outbox_audit WHERE created_at < :cutoff AND (CAST(:org AS text) IS NULL OR org_scope = :org)""";

    private final Jdbi jdbi;
    private final Clock clock;

    RetentionRuns(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    RetentionResult run(Scope scope, RetentionPolicy policy, Operator operator, boolean dryRun) {
        Violations v = new Violations();
        v.requireNonNull("scope", scope);
        v.requireNonNull("policy", policy);
        v.requireNonNull("operator", operator);
        v.throwIfAny("retention run");
        Instant now = clock.instant();
        String org = scope.orgIdOrNull();
        long[] settled = {0, 0};
        if (policy.settledMessages() != null) {
            settled = settled(org, now.minus(policy.settledMessages()), dryRun);
        }
        long inbound = policy.inboundMessages() == null ? 0
                : rows("message", INBOUND_ROWS, org, now.minus(policy.inboundMessages()), dryRun);
        long audit = policy.auditLog() == null ? 0
                : rows("outbox_audit", AUDIT_ROWS, org, now.minus(policy.auditLog()), dryRun);
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("settledMessages", text(policy.settledMessages()));
        filter.put("inboundMessages", text(policy.inboundMessages()));
        filter.put("auditLog", text(policy.auditLog()));
        AuditLog.Entry entry = AuditLog.Entry.start(OperationKind.RUN_RETENTION, operator, scope.label(), filter, dryRun);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("settledMessages", settled[0]);
        details.put("attempts", settled[1]);
        details.put("inboundMessages", inbound);
        details.put("auditRows", audit);
        long total = settled[0] + inbound + audit;
        jdbi.useTransaction(h -> AuditLog.insert(h, entry, (int) Math.min(Integer.MAX_VALUE, total), details, now));
        return new RetentionResult(entry.operationId(), dryRun, now, scope.label(), settled[0], settled[1], inbound, audit);
    }

    private long[] settled(String org, Instant cutoff, boolean dryRun) {
        if (dryRun) {
            return jdbi.withHandle(h -> h.createQuery(COUNT_SETTLED).bind("cutoff", cutoff).bind("org", org)
                    .map((rs, ctx) -> new long[] {rs.getLong("messages"), rs.getLong("attempts")}).one());
        }
        long[] total = {0, 0};
        long[] batch;
        do {
            batch = jdbi.inTransaction(h -> h.createQuery(DELETE_SETTLED).bind("cutoff", cutoff).bind("org", org)
                    .bind("limit", BATCH)
                    .map((rs, ctx) -> new long[] {rs.getLong("messages"), rs.getLong("attempts")}).one());
            total[0] += batch[0];
            total[1] += batch[1];
        } while (batch[0] == BATCH);
        return total;
    }

    private long rows(String table, String select, String org, Instant cutoff, boolean dryRun) {
        if (dryRun) {
            return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM (" + select + ") x")
                    .bind("cutoff", cutoff).bind("org", org).mapTo(Long.class).one());
        }
        String delete = "DELETE FROM " + table + " WHERE id IN (" + select + " LIMIT :limit FOR UPDATE SKIP LOCKED)";
        long total = 0;
        int n;
        do {
            n = jdbi.inTransaction(h -> h.createUpdate(delete).bind("cutoff", cutoff).bind("org", org)
                    .bind("limit", BATCH).execute());
            total += n;
        } while (n == BATCH);
        return total;
    }

    private static String text(Duration d) {
        return d == null ? "forever" : d.toDays() + "d";
    }
}

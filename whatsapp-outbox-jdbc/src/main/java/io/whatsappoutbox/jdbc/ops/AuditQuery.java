package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.jdbc.internal.OpsChecks;
import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;
import java.util.UUID;

/**
 * Which audit rows to read, newest first.
 *
 * @param since rows from the last {@code since}
 * @param kind one kind of operation, or null for all
 * @param operator one operator, or null for all
 * @param operationId one operation, or null
 */
public record AuditQuery(Duration since, OperationKind kind, String operator, UUID operationId, int limit) {
    public AuditQuery {
        Violations v = new Violations();
        OpsChecks.age(v, "since", since, Duration.ofMinutes(1));
        v.optionalText("operator", operator, 64, Operator.NAME, Operator.NAME_RULE);
        v.range("limit", limit, 1, 10_000);
        v.throwIfAny("audit query");
    }

    /** The last 7 days, 50 rows. */
    public static AuditQuery recent() {
        return new AuditQuery(Duration.ofDays(7), null, null, null, 50);
    }

    public AuditQuery withSince(Duration value) {
        return new AuditQuery(value, kind, operator, operationId, limit);
    }

    public AuditQuery withKind(OperationKind value) {
        return new AuditQuery(since, value, operator, operationId, limit);
    }

    public AuditQuery withOperator(String value) {
        return new AuditQuery(since, kind, value, operationId, limit);
    }

    public AuditQuery withOperationId(UUID value) {
        return new AuditQuery(since, kind, operator, value, limit);
    }

    public AuditQuery withLimit(int value) {
        return new AuditQuery(since, kind, operator, operationId, value);
    }
}

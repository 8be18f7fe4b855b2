package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.BusinessKey;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.jdbc.CancelResult;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The host's cancel by business key, on a connection the host owns: one statement that cancels the
 * org's QUEUED matches and writes the audit row the operator's cancel writes ({@code CANCEL_MESSAGES},
 * the operation id on the rows, the actor as {@code updated_by}), so it is atomic even on an
 * auto-commit connection and undone by the host's rollback. Plain JDBC, like the enqueue. Internal.
 *
 * <p>Only QUEUED moves: the state machine's CANCEL also starts from FAILED, but a host withdraws
 * messages not sent yet, and a dead letter is the operator's. The WHERE names the statuses as
 * literals so that the partial indexes (V12's by dossier, the lease index) match a generic plan.
 */
public final class HostCancels {
    /** The SET of a cancel, as {@code ChangeSql.CANCEL} writes it; the last error stays. */
    static final String CANCEL_SET = """
            status = ?, locked_until = NULL, operation_id = ?, updated_at = ?, updated_by = ?""";

    private static final String BY_DOSSIER = """
            SELECT m.id, m.status FROM outbound_message m
             WHERE m.org_id = ? AND m.dossier_id = ? AND m.status = 'QUEUED'
            UNION ALL
            SELECT m.id, m.status FROM outbound_message m
             WHERE m.org_id = ? AND m.dossier_id = ? AND m.status = 'SENDING'""";

    private static final String BY_KEY = """
            SELECT m.id, m.status FROM outbound_message m
             WHERE m.org_id = ? AND m.idempotency_key = ? AND m.status IN ('QUEUED', 'SENDING')""";

    /**
     * A message claimed between the read of {@code matched} and its update is re-checked under its
     * row lock ({@code m.status = 'QUEUED'}) and answered as in flight.
     */
    private static final String CANCEL = """
            WITH matched AS (
            {MATCHED}
            ), cancelled AS (
                UPDATE outbound_message m
                   SET {SET}
                  FROM matched t
                 WHERE m.id = t.id AND t.status = 'QUEUED' AND m.status = 'QUEUED' AND m.status = ANY(?)
                RETURNING m.id
            ), audit AS (
                INSERT INTO outbox_audit (operation_id, action, operator, reason, org_scope, filter_json, dry_run,
                                          affected_count, details_json, created_at)
                SELECT ?, ?, ?, ?, ?, ?::jsonb, false, (SELECT count(*) FROM cancelled),
                       jsonb_build_object(
                           'messageIds', (SELECT coalesce(jsonb_agg(c.id ORDER BY c.id), '[]'::jsonb) FROM cancelled c),
                           'inFlight', (SELECT coalesce(jsonb_agg(t.id ORDER BY t.id), '[]'::jsonb) FROM matched t
                                         WHERE t.id NOT IN (SELECT c.id FROM cancelled c)),
                           'before', 'QUEUED', 'after', 'CANCELLED'),
                       ?
                 WHERE EXISTS (SELECT 1 FROM matched)
            )
            SELECT t.id, c.id IS NOT NULL AS cancelled
              FROM matched t LEFT JOIN cancelled c ON c.id = t.id
             ORDER BY t.id""".replace("{SET}", CANCEL_SET);

    static final String CANCEL_BY_DOSSIER = CANCEL.replace("{MATCHED}", BY_DOSSIER);
    static final String CANCEL_BY_KEY = CANCEL.replace("{MATCHED}", BY_KEY);

    /** Who the audit names when the host does not say. */
    public static final Operator HOST = Operator.of("host", "cancelled by the host application");

    private final Clock clock;

    private final String cancelByDossier;
    private final String cancelByKey;

    /** @param names the statements run on the host's connection, whose search_path is the host's */
    public HostCancels(Clock clock, SchemaNames names) {
        this.clock = clock;
        this.cancelByDossier = names.qualify(CANCEL_BY_DOSSIER);
        this.cancelByKey = names.qualify(CANCEL_BY_KEY);
    }

    /** Cancels on {@code c} without committing it: the host's transaction decides. */
    public CancelResult cancel(Connection c, String orgId, BusinessKey key, Operator actor) throws SQLException {
        Objects.requireNonNull(c, "connection");
        Instant now = clock.instant();
        UUID operationId = UUID.randomUUID();
        boolean byDossier = key.kind() == BusinessKey.Kind.DOSSIER;
        List<Long> cancelled = new ArrayList<>();
        List<Long> inFlight = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(byDossier ? cancelByDossier : cancelByKey)) {
            int i = 1;
            p.setString(i++, orgId);
            p.setString(i++, key.value());
            if (byDossier) {
                p.setString(i++, orgId);
                p.setString(i++, key.value());
            }
            p.setString(i++, Transition.CANCEL.target().name());
            p.setObject(i++, operationId);
            p.setObject(i++, Times.utc(now));
            p.setString(i++, actor.name());
            p.setArray(i++, c.createArrayOf("text", queuedSources()));
            p.setObject(i++, operationId);
            p.setString(i++, OperationKind.CANCEL_MESSAGES.name());
            p.setString(i++, actor.name());
            p.setString(i++, actor.reason());
            p.setString(i++, orgId);
            p.setString(i++, filter(key));
            p.setObject(i, Times.utc(now));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    (rs.getBoolean(2) ? cancelled : inFlight).add(rs.getLong(1));
                }
            }
        }
        return new CancelResult(cancelled, inFlight);
    }

    /** The cancel's sources the host may start from: QUEUED, as long as the state machine allows it. */
    static String[] queuedSources() {
        return Transition.CANCEL.allowedFrom(MessageStatus.QUEUED) ? new String[] {MessageStatus.QUEUED.name()}
                : new String[0];
    }

    /** The audit row's {@code filter_json}: the key (a supersede adds the superseding message's id). */
    static String filter(BusinessKey key) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put(key.kind().field(), key.value());
        return AuditLog.json(f);
    }
}

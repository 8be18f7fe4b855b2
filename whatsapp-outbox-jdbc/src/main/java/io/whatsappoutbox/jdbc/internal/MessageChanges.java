package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.internal.MessageStateMachine;
import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.CancelFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.MessageChange;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.internal.BulkRunner.Candidate;
import io.whatsappoutbox.jdbc.internal.BulkRunner.Changed;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;

/** Retry, cancel and stuck-message recovery, one message or in bulk. Internal. */
final class MessageChanges {
    /** As the automatic lease recovery writes it. */
    static final String LEASE_EXPIRED_MESSAGE = "Lease expired with attempts used up; the provider may have the message";

    private final Jdbi jdbi;
    private final Clock clock;
    private final AuditLog audit;
    private final BulkRunner bulk;

    MessageChanges(Jdbi jdbi, Clock clock, AuditLog audit, BulkRunner bulk) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.audit = audit;
        this.bulk = bulk;
    }

    MessageChange retry(String orgId, long messageId, Operator operator, boolean dryRun) {
        return one(OperationKind.RETRY_MESSAGE, Transition.OPERATOR_RETRY, ChangeSql.RETRY_ONE, orgId, messageId,
                operator, dryRun);
    }

    MessageChange cancel(String orgId, long messageId, Operator operator, boolean dryRun) {
        return one(OperationKind.CANCEL_MESSAGE, Transition.CANCEL, ChangeSql.CANCEL_ONE, orgId, messageId, operator,
                dryRun);
    }

    /** One message, in one transaction: locked, checked against the state machine, changed, audited. */
    private MessageChange one(OperationKind kind, Transition transition, String sql, String orgId, long messageId,
            Operator operator, boolean dryRun) {
        Violations v = new Violations();
        v.orgId("org", orgId);
        if (messageId <= 0) {
            v.add("messageId", "is " + messageId, "a message id, greater than 0");
        }
        v.requireNonNull("operator", operator);
        v.throwIfAny(kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("messageId", messageId);
        AuditLog.Entry entry = AuditLog.Entry.start(kind, operator, orgId, filter, dryRun);
        return jdbi.inTransaction(h -> {
            MessageStatus before = h.createQuery(ChangeSql.LOCK_ONE)
                    .bind("id", messageId).bind("org", orgId)
                    .mapTo(String.class).findFirst().map(MessageStatus::valueOf)
                    .orElseThrow(() -> new NoSuchElementException("No message " + messageId + " in org " + orgId));
            MessageStatus after = MessageStateMachine.apply(before, transition);
            if (!dryRun) {
                int n = h.createUpdate(sql)
                        .bind("target", transition.target().name())
                        .bindArray("sources", String.class, (Object[]) transition.sourceNames())
                        .bind("now", clock.instant())
                        .bind("operationId", entry.operationId())
                        .bind("actor", operator.name())
                        .bind("id", messageId).bind("org", orgId)
                        .execute();
                if (n != 1) {
                    throw new IllegalStateException("message " + messageId + " changed under its lock");
                }
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("messageIds", List.of(messageId));
            details.put("before", before.name());
            details.put("after", after.name());
            audit.insert(h, entry, 1, details);
            return new MessageChange(entry.operationId(), kind, dryRun, orgId, messageId, before, after);
        });
    }

    BulkResult retryDeadLetters(Scope scope, DeadLetterFilter filter, BulkOptions options, Operator operator) {
        require(scope, filter, options, operator);
        Transition t = Transition.OPERATOR_RETRY;
        AuditLog.Entry entry = AuditLog.Entry.start(OperationKind.RETRY_DEAD_LETTERS, operator, scope.label(),
                filter.describe(), options.dryRun());
        // the age window is fixed once, so the batches re-check the same condition the selection used
        Instant at = clock.instant();
        return bulk.run(entry, options,
                (h, now, limit) -> deadLetters(h.createQuery(ChangeSql.SELECT_DEAD_LETTERS), scope, filter, t, at)
                        .bind("limit", limit).map((rs, ctx) -> new Candidate(rs.getLong("id"),
                                rs.getInt("attempt_count"), rs.getInt("max_attempts"))).list(),
                (h, ids, now, op) -> changed(deadLetters(h.createQuery(ChangeSql.RETRY_DEAD_LETTERS), scope, filter, t, at)
                        .bindArray("ids", Long.class, ids).bind("target", t.target().name()).bind("now", now)
                        .bind("operationId", op).bind("actor", operator.name())),
                c -> t.target());
    }

    BulkResult cancelMessages(Scope scope, CancelFilter filter, BulkOptions options, Operator operator) {
        require(scope, filter, options, operator);
        Transition t = Transition.CANCEL;
        AuditLog.Entry entry = AuditLog.Entry.start(OperationKind.CANCEL_MESSAGES, operator, scope.label(),
                filter.describe(), options.dryRun());
        Instant at = clock.instant();
        return bulk.run(entry, options,
                (h, now, limit) -> cancellable(h.createQuery(ChangeSql.SELECT_CANCEL), scope, filter, at)
                        .bind("limit", limit).map((rs, ctx) -> new Candidate(rs.getLong("id"),
                                rs.getInt("attempt_count"), rs.getInt("max_attempts"))).list(),
                (h, ids, now, op) -> changed(cancellable(h.createQuery(ChangeSql.CANCEL), scope, filter, at)
                        .bindArray("ids", Long.class, ids).bind("target", t.target().name()).bind("now", now)
                        .bind("operationId", op).bind("actor", operator.name())),
                c -> t.target());
    }

    BulkResult recoverStuckSending(Scope scope, Channel channel, BulkOptions options, Operator operator) {
        require(scope, "filter", options, operator);
        Transition recover = Transition.RECOVER;
        Transition dead = Transition.DEAD_LETTER;
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("status", "SENDING");
        filter.put("leaseExpired", true);
        filter.put("channel", channel == null ? null : channel.name());
        AuditLog.Entry entry = AuditLog.Entry.start(OperationKind.RECOVER_STUCK_SENDING, operator, scope.label(),
                filter, options.dryRun());
        Instant at = clock.instant();
        return bulk.run(entry, options,
                (h, now, limit) -> Reports.scope(h.createQuery(ChangeSql.SELECT_STUCK_SENDING), scope, channel)
                        .bindArray("sources", String.class, (Object[]) recover.sourceNames())
                        .bind("now", at).bind("limit", limit)
                        .map((rs, ctx) -> new Candidate(rs.getLong("id"), rs.getInt("attempt_count"),
                                rs.getInt("max_attempts"))).list(),
                (h, ids, now, op) -> changed(Reports.scope(h.createQuery(ChangeSql.RECOVER_STUCK_SENDING), scope, channel)
                        .bindArray("sources", String.class, (Object[]) recover.sourceNames())
                        .bindArray("ids", Long.class, ids)
                        .bind("target", recover.target().name())
                        .bind("deadTarget", dead.target().name())
                        .bind("leaseCode", OutboxErrorCodes.LEASE_EXPIRED)
                        .bind("leaseMessage", LEASE_EXPIRED_MESSAGE)
                        .bind("leaseCategory", ErrorCategory.TEMPORARY.name())
                        .bind("now", now).bind("operationId", op).bind("actor", operator.name())),
                c -> c.attemptCount() >= c.maxAttempts() ? dead.target() : recover.target());
    }

    private static <T extends SqlStatement<T>> T deadLetters(T s, Scope scope, DeadLetterFilter f, Transition t,
            Instant at) {
        return Reports.scope(s, scope, f.channel())
                .bindArray("sources", String.class, (Object[]) t.sourceNames())
                .bindArray("codes", String.class, f.errorCodes())
                .bindArray("categories", String.class, f.categoryNames())
                .bind("failedUpTo", f.minAge() == null ? null : at.minus(f.minAge()))
                .bind("failedFrom", f.maxAge() == null ? null : at.minus(f.maxAge()));
    }

    private static <T extends SqlStatement<T>> T cancellable(T s, Scope scope, CancelFilter f, Instant at) {
        return Reports.scope(s, scope, f.channel())
                .bindArray("sources", String.class, (Object[]) Transition.CANCEL.sourceNames())
                .bindArray("statuses", String.class, f.statusNames())
                .bindArray("codes", String.class, f.errorCodes())
                .bindArray("categories", String.class, f.categoryNames())
                .bind("createdUpTo", f.minAge() == null ? null : at.minus(f.minAge()))
                .bind("createdFrom", f.maxAge() == null ? null : at.minus(f.maxAge()));
    }

    /** Runs an {@code UPDATE ... RETURNING id, status}. */
    private static List<Changed> changed(Query update) {
        return update.map((rs, ctx) -> new Changed(rs.getLong("id"), MessageStatus.valueOf(rs.getString("status"))))
                .list();
    }

    private static void require(Scope scope, Object filter, BulkOptions options, Operator operator) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(operator, "operator");
    }
}

package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.jdbc.EnqueueResult;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.internal.BulkRunner.Candidate;
import io.whatsappoutbox.jdbc.internal.BulkRunner.Changed;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Handle;

/**
 * The runbook's manual WhatsApp-to-SMS conversion, made safe: the fallback rules select and render,
 * the derived key and the unique {@code (fallback_of, channel)} index make it once per parent, the
 * SMS goes through consent like any SMS, and the operation is audited. Internal.
 */
final class ManualFallback {
    private final Clock clock;
    private final AuditLog audit;
    private final BulkRunner bulk;
    private final MessageRows rows;
    private final EnqueueWriter enqueue;

    ManualFallback(Clock clock, AuditLog audit, BulkRunner bulk, MessageRows rows, EnqueueWriter enqueue) {
        this.clock = clock;
        this.audit = audit;
        this.bulk = bulk;
        this.rows = rows;
        this.enqueue = enqueue;
    }

    BulkResult run(Scope scope, DeadLetterFilter filter, FallbackRules rules, BulkOptions options, Operator operator) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(operator, "operator");
        Map<String, Object> described = new LinkedHashMap<>(filter.describe());
        described.put("rules", rules.toString());
        AuditLog.Entry entry = AuditLog.Entry.start(OperationKind.FALLBACK_TO_SMS, operator, scope.label(), described,
                options.dryRun());
        Transition parent = Transition.DEAD_LETTER;
        Instant at = clock.instant();
        return bulk.run(entry, options,
                (h, now, limit) -> candidates(h, scope, filter, at, limit).stream()
                        .filter(m -> rules.onOperatorRequest(m).isPresent())
                        .map(m -> new Candidate(m.id(), m.attemptCount(), m.maxAttempts())).toList(),
                (h, ids, now, op) -> create(h, scope, filter, rules, ids, at, op),
                c -> MessageStatus.QUEUED);
    }

    private List<OutboundMessage> candidates(Handle h, Scope scope, DeadLetterFilter filter, Instant at, int limit) {
        return bind(h.createQuery(ChangeSql.SELECT_FALLBACK_CANDIDATES), scope, filter, at)
                .bind("limit", limit)
                .map((rs, ctx) -> rows.mapOrSkip(rs, "dead letter fallback")).list().stream()
                .filter(java.util.Objects::nonNull).toList();
    }

    private static org.jdbi.v3.core.statement.Query bind(org.jdbi.v3.core.statement.Query q, Scope scope,
            DeadLetterFilter filter, Instant at) {
        return Reports.scope(q, scope, filter.channel())
                .bindArray("sources", String.class, (Object[]) new String[] {Transition.DEAD_LETTER.target().name()})
                .bindArray("codes", String.class, filter.errorCodes())
                .bindArray("categories", String.class, filter.categoryNames())
                .bind("failedUpTo", filter.minAge() == null ? null : at.minus(filter.minAge()))
                .bind("failedFrom", filter.maxAge() == null ? null : at.minus(filter.maxAge()));
    }

    /** Re-reads the batch's own parents under the same filter (a parent may have moved on), then creates the SMS. */
    private List<Changed> create(Handle h, Scope scope, DeadLetterFilter filter, FallbackRules rules, List<Long> ids,
            Instant at, java.util.UUID operationId) {
        List<OutboundMessageRequest> requests = new ArrayList<>();
        bind(h.createQuery(ChangeSql.LOCK_FALLBACK_BATCH), scope, filter, at)
                .bindArray("ids", Long.class, ids)
                .map((rs, ctx) -> rows.mapOrSkip(rs, "dead letter fallback"))
                .list().stream().filter(java.util.Objects::nonNull)
                .forEach(m -> rules.onOperatorRequest(m).ifPresent(requests::add));
        if (requests.isEmpty()) {
            return List.of();
        }
        List<Long> created = enqueue.enqueueUnchecked(h.getConnection(), requests).stream()
                .filter(EnqueueResult::created).map(e -> e.message().id()).toList();
        if (created.isEmpty()) {
            return List.of();
        }
        return h.createQuery(ChangeSql.MARK_OPERATION)
                .bind("operationId", operationId)
                .bindArray("ids", Long.class, created)
                .map((rs, ctx) -> new Changed(rs.getLong("id"), MessageStatus.valueOf(rs.getString("status"))))
                .list();
    }
}

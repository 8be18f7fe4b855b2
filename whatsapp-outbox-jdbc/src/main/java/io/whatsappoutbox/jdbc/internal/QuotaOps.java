package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.QuotaChange;
import io.whatsappoutbox.jdbc.ops.QuotaUsage;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The runbook's rate-limit procedures on {@code whatsapp_rate_limit}. Internal. */
final class QuotaOps {
    static final long MAX_QUOTA = 1_000_000_000L;
    static final Duration MIN_PERIOD = Duration.ofMinutes(1);
    static final Duration MAX_PERIOD = Duration.ofDays(31);

    private final Jdbi jdbi;
    private final Clock clock;
    private final AuditLog audit;

    QuotaOps(Jdbi jdbi, Clock clock, AuditLog audit) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.audit = audit;
    }

    List<QuotaUsage> quotas(Scope scope, double minUsagePercent) {
        Objects.requireNonNull(scope, "scope");
        Violations v = new Violations();
        if (Double.isNaN(minUsagePercent) || minUsagePercent < 0 || minUsagePercent > 1000) {
            v.add("minUsagePercent", "is " + minUsagePercent, "between 0 and 1000");
        }
        v.throwIfAny("quota query");
        Instant now = clock.instant();
        List<QuotaUsage> all = jdbi.withHandle(h -> h.createQuery(ReportSql.QUOTAS)
                .bind("org", scope.orgIdOrNull())
                .bind("hourAgo", now.minus(Duration.ofHours(1)))
                .map((rs, ctx) -> usage(rs, now))
                .list());
        return all.stream()
                .filter(q -> (q.usagePercent() != null && q.usagePercent() >= minUsagePercent)
                        || !q.throttledFor().isZero())
                .sorted(Comparator.comparing((QuotaUsage q) -> q.usagePercent() == null ? -1 : q.usagePercent())
                        .reversed().thenComparing(QuotaUsage::orgId))
                .toList();
    }

    QuotaChange setQuota(String orgId, long quotaLimit, Duration period, Operator operator, boolean dryRun) {
        Violations v = new Violations();
        v.orgId("org", orgId);
        v.range("quotaLimit", quotaLimit, 0, MAX_QUOTA);
        if (period != null && (period.compareTo(MIN_PERIOD) < 0 || period.compareTo(MAX_PERIOD) > 0)) {
            v.add("period", "is " + period, "between 1 minute and 31 days");
        }
        v.requireNonNull("operator", operator);
        v.throwIfAny("quota change");
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("quotaLimit", quotaLimit);
        filter.put("period", period == null ? null : period.toString());
        return change(OperationKind.SET_QUOTA, orgId, filter, operator, dryRun, (h, now) -> h.createUpdate(ChangeSql.SET_QUOTA)
                .bind("org", orgId).bind("quota", quotaLimit)
                .bind("period", period == null ? null : (int) period.toSeconds())
                .bind("now", now).bind("actor", operator.name())
                .execute());
    }

    QuotaChange resetQuota(String orgId, Operator operator, boolean dryRun) {
        Violations v = new Violations();
        v.orgId("org", orgId);
        v.requireNonNull("operator", operator);
        v.throwIfAny("quota reset");
        return change(OperationKind.RESET_QUOTA, orgId, new LinkedHashMap<>(), operator, dryRun,
                (h, now) -> h.createUpdate(ChangeSql.RESET_QUOTA)
                        .bind("org", orgId).bind("now", now).bind("actor", operator.name())
                        .execute());
    }

    private interface Upsert {
        void apply(Handle h, Instant now);
    }

    /** Upserts in one transaction; a dry run rolls the upsert back to a savepoint and keeps only the audit row. */
    private QuotaChange change(OperationKind kind, String orgId, Map<String, Object> filter, Operator operator,
            boolean dryRun, Upsert upsert) {
        AuditLog.Entry entry = AuditLog.Entry.start(kind, operator, orgId, filter, dryRun);
        return jdbi.inTransaction(h -> {
            Instant now = clock.instant();
            QuotaUsage before = row(h, orgId, now).orElse(null);
            h.savepoint("quota_change");
            upsert.apply(h, now);
            QuotaUsage after = row(h, orgId, now).orElseThrow();
            if (dryRun) {
                h.rollbackToSavepoint("quota_change");
            } else {
                h.release("quota_change");
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("before", before == null ? null : describe(before));
            details.put("after", describe(after));
            audit.insert(h, entry, 1, details);
            return new QuotaChange(entry.operationId(), kind, dryRun, before, after);
        });
    }

    private static Optional<QuotaUsage> row(Handle h, String orgId, Instant now) {
        return h.createQuery(ChangeSql.QUOTA_ROW).bind("org", orgId).map((rs, ctx) -> usage(rs, now)).findFirst();
    }

    private static Map<String, Object> describe(QuotaUsage q) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("sentCount", q.sentCount());
        d.put("quotaLimit", q.quotaLimit());
        d.put("period", q.period().toString());
        d.put("resetAt", q.resetAt() == null ? null : q.resetAt().toString());
        d.put("throttleUntil", q.throttleUntil() == null ? null : q.throttleUntil().toString());
        return d;
    }

    static QuotaUsage usage(ResultSet rs, Instant now) throws SQLException {
        long sent = rs.getLong("messages_sent_count");
        Long limit = Reports.nullableLong(rs, "quota_limit");
        Instant resetAt = Times.instant(rs, "reset_at");
        Instant throttleUntil = Times.instant(rs, "throttle_until");
        boolean periodOver = resetAt == null || !now.isBefore(resetAt);
        Double usage;
        if (limit == null) {
            usage = null;
        } else if (limit == 0) {
            usage = 100.0; // a zero quota blocks every message, whatever the period
        } else {
            usage = periodOver ? 0.0 : Reports.round2(100.0 * sent / limit);
        }
        Duration untilReset = periodOver ? Duration.ZERO : Duration.between(now, resetAt);
        Duration throttled = throttleUntil != null && now.isBefore(throttleUntil)
                ? Duration.between(now, throttleUntil) : Duration.ZERO;
        return new QuotaUsage(rs.getString("org_id"), sent, limit, usage,
                Duration.ofSeconds(rs.getInt("period_seconds")), resetAt, untilReset, throttleUntil, throttled,
                Times.instant(rs, "last_request_at"), rs.getLong("hits"), Times.instant(rs, "updated_at"),
                rs.getString("updated_by"));
    }
}

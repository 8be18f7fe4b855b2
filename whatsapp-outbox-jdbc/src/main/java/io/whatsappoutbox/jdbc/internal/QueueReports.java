package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.jdbc.ops.ChannelHealth;
import io.whatsappoutbox.jdbc.ops.ChannelHealthReport;
import io.whatsappoutbox.jdbc.ops.FailureAnalysis;
import io.whatsappoutbox.jdbc.ops.FailureAnalysis.HourlyFailureRate;
import io.whatsappoutbox.jdbc.ops.FailureQuery;
import io.whatsappoutbox.jdbc.ops.NumberHealth;
import io.whatsappoutbox.jdbc.ops.QueueStatus;
import io.whatsappoutbox.jdbc.ops.QueueStatus.StatusCount;
import io.whatsappoutbox.jdbc.ops.QueueStatus.StuckMessage;
import io.whatsappoutbox.jdbc.ops.QueueStatusQuery;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.ops.UsageReport;
import io.whatsappoutbox.core.internal.Violations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/** Queue status, failure analysis and channel health: reads only. Internal. */
final class QueueReports {
    /** Rows of a by-code breakdown: more codes than this at once is a report to read in SQL. */
    static final int CODE_ROWS = 100;

    private final Jdbi jdbi;
    private final Clock clock;

    QueueReports(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    QueueStatus queueStatus(Scope scope, QueueStatusQuery q) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(q, "query");
        Instant now = clock.instant();
        Instant stuckBefore = now.minus(q.stuckQueuedAfter());
        return jdbi.inTransaction(h -> {
            Map<MessageStatus, StatusCount> counts = new EnumMap<>(MessageStatus.class);
            Reports.scope(h.createQuery(ReportSql.STATUS_COUNTS), scope, q.channel())
                    .bind("since", now.minus(q.window()))
                    .map((rs, ctx) -> new StatusCount(MessageStatus.valueOf(rs.getString("status")), rs.getLong("n"),
                            Times.instant(rs, "oldest_created"), Times.instant(rs, "newest_created"),
                            Times.instant(rs, "oldest_updated"), Times.instant(rs, "newest_updated"),
                            Reports.round2(rs.getDouble("average_attempts"))))
                    .forEach(c -> counts.put(c.status(), c));
            List<StatusCount> statuses = Arrays.stream(MessageStatus.values())
                    .map(s -> counts.getOrDefault(s, new StatusCount(s, 0, null, null, null, null, 0)))
                    .toList();
            long[] backlog = Reports.scope(h.createQuery(ReportSql.BACKLOG), scope, q.channel())
                    .bind("stuckBefore", stuckBefore)
                    .bind("now", now)
                    .map((rs, ctx) -> new long[] {rs.getLong("queued"), rs.getLong("sending"),
                            rs.getLong("stuck_queued"), rs.getLong("stuck_sending")})
                    .one();
            List<StuckMessage> stuck = q.sampleSize() == 0 ? List.of()
                    : Reports.scope(h.createQuery(ReportSql.STUCK_SAMPLE), scope, q.channel())
                            .bind("stuckBefore", stuckBefore)
                            .bind("now", now)
                            .bind("limit", q.sampleSize())
                            .map((rs, ctx) -> {
                                Instant since = Times.instant(rs, "stuck_since");
                                return new StuckMessage(rs.getLong("id"), rs.getString("org_id"),
                                        Channel.valueOf(rs.getString("channel")),
                                        PhoneNumber.mask(rs.getString("to_recipient")),
                                        MessageStatus.valueOf(rs.getString("status")), rs.getInt("attempt_count"),
                                        Times.instant(rs, "created_at"), since, Duration.between(since, now));
                            })
                            .list();
            return new QueueStatus(now, scope.label(), q.window(), statuses, backlog[0], backlog[1], backlog[2],
                    backlog[3], stuck);
        });
    }

    FailureAnalysis failureAnalysis(Scope scope, FailureQuery q) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(q, "query");
        Instant now = clock.instant();
        Instant since = now.minus(q.window());
        return jdbi.inTransaction(h -> {
            var byCode = Reports.byCode(h, scope, q.channel(), since, CODE_ROWS);
            var byCategory = Reports.byCategory(h, scope, q.channel(), since);
            long total = byCategory.stream().mapToLong(c -> c.count()).sum();
            List<HourlyFailureRate> hourly = new ArrayList<>();
            Reports.scope(h.createQuery(ReportSql.HOURLY_FAILURE_RATE), scope, q.channel())
                    .bind("from", now.minus(q.trendWindow()))
                    .bind("now", now)
                    .map((rs, ctx) -> {
                        long failed = rs.getLong("failed");
                        long all = rs.getLong("total");
                        return new HourlyFailureRate(Times.instant(rs, "hour"), failed, all,
                                all == 0 ? 0 : Reports.round2(100.0 * failed / all));
                    })
                    .forEach(hourly::add);
            var orgs = Reports.affectedOrgs(h, scope, q.channel(), since, q.top());
            return new FailureAnalysis(now, scope.label(), q.window(), total, byCode, byCategory, hourly, orgs);
        });
    }

    UsageReport usage(Scope scope, Duration window) {
        Objects.requireNonNull(scope, "scope");
        Violations v = new Violations();
        OpsChecks.age(v, "since", window, Duration.ofMinutes(1));
        v.throwIfAny("usage query");
        Instant now = clock.instant();
        List<UsageReport.Row> rows = jdbi.withHandle(h -> Reports.scope(
                        h.createQuery(ReportSql.USAGE), scope, null)
                .bind("since", now.minus(window))
                .map((rs, ctx) -> new UsageReport.Row(rs.getString("org_id"),
                        rs.getString("template"), rs.getString("category"), rs.getLong("sent"),
                        rs.getLong("delivered"), rs.getLong("billable")))
                .list());
        return new UsageReport(now, scope.label(), window, rows);
    }

    ChannelHealthReport channelHealth(Scope scope, Duration window) {
        Objects.requireNonNull(scope, "scope");
        Violations v = new Violations();
        OpsChecks.age(v, "window", window, Duration.ofMinutes(1));
        v.throwIfAny("channel health query");
        Instant now = clock.instant();
        Map<Channel, ChannelHealth> metrics = new EnumMap<>(Channel.class);
        for (Channel c : Channel.values()) {
            metrics.put(c, new ChannelHealth(c, 0, 0, 0, null, null));
        }
        String[] accepted = Arrays.stream(MessageStatus.values()).filter(MessageStatus::isAccepted)
                .map(Enum::name).toArray(String[]::new);
        jdbi.useHandle(h -> Reports.scope(h.createQuery(ReportSql.CHANNEL_HEALTH), scope, null)
                .bind("since", now.minus(window))
                .bindArray("accepted", String.class, (Object[]) accepted)
                .map((rs, ctx) -> {
                    long total = rs.getLong("total");
                    long ok = rs.getLong("successful");
                    return new ChannelHealth(Channel.valueOf(rs.getString("channel")), total, ok, rs.getLong("failed"),
                            total == 0 ? null : Reports.round1(100.0 * ok / total),
                            Reports.nullableLong(rs, "latency_ms"));
                })
                .forEach(c -> metrics.put(c.channel(), c)));
        List<NumberHealth> numbers = jdbi.withHandle(h -> h.createQuery(ReportSql.NUMBER_HEALTH)
                .bind("org", scope.orgIdOrNull())
                .map((rs, ctx) -> new NumberHealth(rs.getString("business_account_id"),
                        PhoneNumber.mask(rs.getString("display_phone_number")),
                        List.of((String[]) rs.getArray("orgs").getArray()), rs.getString("quality_rating"),
                        rs.getString("messaging_limit"), rs.getString("last_event"), Times.instant(rs, "updated_at")))
                .list());
        return new ChannelHealthReport(now, scope.label(), window, metrics, numbers);
    }
}

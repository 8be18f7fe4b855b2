package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.jdbc.ops.CategoryCount;
import io.whatsappoutbox.jdbc.ops.ErrorCodeCount;
import io.whatsappoutbox.jdbc.ops.DeadLetterQuery;
import io.whatsappoutbox.jdbc.ops.DeadLetterReport;
import io.whatsappoutbox.jdbc.ops.DeadLetterReport.AgeBucket;
import io.whatsappoutbox.jdbc.ops.DeadLetterReport.ChannelCount;
import io.whatsappoutbox.jdbc.ops.DeadLetterReport.DailyGrowth;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/** The runbook's analyze-dlq script as one query set, read in one transaction. Internal. */
final class DeadLetterReports {
    private final Jdbi jdbi;
    private final Clock clock;

    DeadLetterReports(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    DeadLetterReport report(Scope scope, DeadLetterQuery q) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(q, "query");
        Instant now = clock.instant();
        Channel channel = q.channel();
        return jdbi.inTransaction(h -> {
            List<CategoryCount> byCategory = Reports.byCategory(h, scope, channel, null);
            long size = byCategory.stream().mapToLong(CategoryCount::count).sum();
            long retryable = byCategory.stream().filter(CategoryCount::retryable).mapToLong(CategoryCount::count).sum();
            List<ChannelCount> byChannel = Reports.scope(h.createQuery(ReportSql.DEAD_LETTER_BY_CHANNEL), scope, channel)
                    .bind("since", (Instant) null)
                    .map((rs, ctx) -> new ChannelCount(Channel.valueOf(rs.getString("channel")), rs.getLong("n")))
                    .list();
            List<AgeBucket> ages = Reports.scope(h.createQuery(ReportSql.DEAD_LETTER_AGES), scope, channel)
                    .bind("since", (Instant) null)
                    .bind("day1", now.minus(Duration.ofDays(1)))
                    .bind("day7", now.minus(Duration.ofDays(7)))
                    .bind("day30", now.minus(Duration.ofDays(30)))
                    .map((rs, ctx) -> List.of(new AgeBucket("<1d", rs.getLong("under_1d")),
                            new AgeBucket("1-7d", rs.getLong("d1_7")), new AgeBucket("7-30d", rs.getLong("d7_30")),
                            new AgeBucket(">30d", rs.getLong("over_30d"))))
                    .one();
            Instant from = now.minus(Duration.ofDays(q.growthDays() - 1L));
            List<DailyGrowth> growth = Reports.scope(h.createQuery(ReportSql.DEAD_LETTER_GROWTH), scope, channel)
                    .bind("since", from.minus(Duration.ofDays(1)))
                    .bind("from", from)
                    .bind("now", now)
                    .map((rs, ctx) -> new DailyGrowth(LocalDate.parse(rs.getString("day")), rs.getLong("n"),
                            rs.getLong("orgs")))
                    .list();
            var byCode = Reports.byCode(h, scope, channel, null, q.top());
            var orgs = Reports.affectedOrgs(h, scope, channel, null, q.top());
            return new DeadLetterReport(now, scope.label(), size, byChannel, byCode, byCategory, retryable,
                    size - retryable, ages, growth, orgs, recommendations(byCategory, byCode, ages));
        });
    }

    /** Advice for the codes whose category alone does not say what to do. */
    static final java.util.Map<String, String> CODE_ADVICE = java.util.Map.of(
            "TEMPLATE_DISABLED", "Meta disabled, rejected or deleted the template (audit: META_TEMPLATE_STATUS):"
                    + " create or appeal it in WhatsApp Manager, run templates sync, then enqueue again with the"
                    + " new template",
            "TEMPLATE_PAUSED", "the template was paused and a fallback took its messages: check its quality in"
                    + " WhatsApp Manager before the next campaign",
            "MARKETING_HALTED", "the account is restricted or a number flagged (audit: META_ACCOUNT_UPDATE,"
                    + " META_NUMBER_QUALITY): fix it in Meta Business Suite, then retry these marketing messages");

    /** The script's closing advice, from what is actually in the dead letter. */
    static List<String> recommendations(List<CategoryCount> byCategory, List<ErrorCodeCount> byCode,
            List<AgeBucket> ages) {
        List<String> out = new ArrayList<>();
        for (CategoryCount c : byCategory) {
            out.add(c.count() + " " + c.category() + (c.retryable() ? " (retryable)" : "") + ": "
                    + c.category().recommendedAction());
        }
        for (ErrorCodeCount c : byCode) {
            String advice = CODE_ADVICE.get(c.errorCode());
            if (advice != null) {
                out.add(c.count() + " " + c.errorCode() + ": " + advice);
            }
        }
        long old = ages.get(ages.size() - 1).count();
        if (old > 0) {
            out.add("Archive the " + old + " dead letter(s) older than 30 days (dlq archive --older-than 30d)");
        }
        return out;
    }
}

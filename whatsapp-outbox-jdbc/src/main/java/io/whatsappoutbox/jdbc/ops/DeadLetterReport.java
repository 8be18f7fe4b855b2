package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.Channel;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The runbook's analyze-dlq report as one result. The dead letter is every message in status
 * FAILED (a permanent error dead-letters a message before its attempts are used up, so the
 * runbook's {@code attempt_count >= max_attempts} would miss it). Ages count from {@code failed_at}.
 *
 * @param size messages in the dead letter
 * @param retryable of which in a category worth another attempt ({@code ErrorCategory.retryable()})
 * @param ageBuckets always four: {@code <1d}, {@code 1-7d}, {@code 7-30d}, {@code >30d}
 * @param growth dead-letter additions per UTC day, oldest first, days without any included
 * @param recommendations what to do, most urgent first, derived from the categories present
 */
public record DeadLetterReport(Instant asOf, String scope, long size, List<ChannelCount> byChannel,
        List<ErrorCodeCount> byCode, List<CategoryCount> byCategory, long retryable, long nonRetryable,
        List<AgeBucket> ageBuckets, List<DailyGrowth> growth, List<AffectedOrg> affectedOrgs,
        List<String> recommendations) {

    public DeadLetterReport {
        byChannel = List.copyOf(byChannel);
        byCode = List.copyOf(byCode);
        byCategory = List.copyOf(byCategory);
        ageBuckets = List.copyOf(ageBuckets);
        growth = List.copyOf(growth);
        affectedOrgs = List.copyOf(affectedOrgs);
        recommendations = List.copyOf(recommendations);
    }

    public record ChannelCount(Channel channel, long count) {}

    /** @param label {@code <1d}, {@code 1-7d}, {@code 7-30d} or {@code >30d} */
    public record AgeBucket(String label, long count) {}

    public record DailyGrowth(LocalDate day, long additions, long orgs) {}
}

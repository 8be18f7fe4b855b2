package io.whatsappoutbox.jdbc.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The runbook's provider-outage verification: what failed in the window, by code and category,
 * the failure rate per hour, and who is affected.
 *
 * @param totalFailures messages dead-lettered in the window
 * @param hourly one row per hour of the trend window, oldest first, hours without messages included
 */
public record FailureAnalysis(Instant asOf, String scope, Duration window, long totalFailures,
        List<ErrorCodeCount> byCode, List<CategoryCount> byCategory, List<HourlyFailureRate> hourly,
        List<AffectedOrg> affectedOrgs) {

    public FailureAnalysis {
        byCode = List.copyOf(byCode);
        byCategory = List.copyOf(byCategory);
        hourly = List.copyOf(hourly);
        affectedOrgs = List.copyOf(affectedOrgs);
    }

    /**
     * Messages created in one hour and how many of them are in the dead letter now.
     *
     * @param failureRatePercent 0 to 100, two decimals; 0 for an hour without messages
     */
    public record HourlyFailureRate(Instant hour, long failed, long total, double failureRatePercent) {}
}

package io.whatsappoutbox.jdbc.ops;

import java.time.Duration;
import java.time.Instant;

/**
 * An org's {@code whatsapp_rate_limit} row, as the runbook's rate-limit check shows it.
 *
 * @param quotaLimit messages per period, or null when the row only carries a throttle
 * @param usagePercent share used in the current period, two decimals; 0 once the period is over
 *     (the dispatcher starts counting again then), null without a quota
 * @param untilReset time left before the count restarts, zero when past
 * @param throttledFor time left under a throttle, zero when none
 * @param rateLimitHitsLastHour rate-limit errors recorded on attempts in the last hour
 */
public record QuotaUsage(String orgId, long sentCount, Long quotaLimit, Double usagePercent, Duration period,
        Instant resetAt, Duration untilReset, Instant throttleUntil, Duration throttledFor, Instant lastRequestAt,
        long rateLimitHitsLastHour, Instant updatedAt, String updatedBy) {}

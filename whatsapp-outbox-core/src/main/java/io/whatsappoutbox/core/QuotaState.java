package io.whatsappoutbox.core;

import java.time.Instant;
import java.util.Optional;

/**
 * An org's sending quota and throttle (the runbook's {@code whatsapp_rate_limit} row). The store
 * applies the same rule atomically when it reserves quota for a batch, so that several dispatchers
 * never exceed the quota together.
 *
 * @param sentCount messages counted since the last reset
 * @param quotaLimit messages allowed per period
 * @param resetAt when the count starts again from zero; a past reset means the count is stale
 * @param throttleUntil no sending before this instant (after a provider rate limit), or null
 */
public record QuotaState(String orgId, long sentCount, long quotaLimit, Instant resetAt, Instant throttleUntil) {

    public boolean isThrottledAt(Instant now) {
        return throttleUntil != null && now.isBefore(throttleUntil);
    }

    /** Messages that may still be sent in the current period. */
    public long remainingAt(Instant now) {
        if (resetAt == null || !now.isBefore(resetAt)) {
            return quotaLimit;
        }
        return Math.max(0, quotaLimit - sentCount);
    }

    /** When the org may send again, or empty when it may send now. */
    public Optional<Instant> blockedUntil(Instant now) {
        if (isThrottledAt(now)) {
            return Optional.of(throttleUntil);
        }
        if (remainingAt(now) == 0) {
            return Optional.ofNullable(resetAt);
        }
        return Optional.empty();
    }

    /** Share of the quota used, in percent (0 when the limit is 0 or the period is over). */
    public double usagePercentAt(Instant now) {
        if (quotaLimit <= 0 || resetAt == null || !now.isBefore(resetAt)) {
            return 0;
        }
        return 100.0 * sentCount / quotaLimit;
    }
}

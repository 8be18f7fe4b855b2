package io.whatsappoutbox.jdbc.ops;

import java.util.List;

/**
 * A business account's use of Meta's messaging limit: the unique recipients of templates sent
 * outside a session window in the last 24 hours, against the limit of the tier Meta last reported
 * (or the outbox's default).
 *
 * @param account the business account id, or {@code org:<org>} for an org without one
 * @param orgIds the orgs in scope sending through the account
 * @param recipients recipients counted in the rolling 24-hour window
 * @param tier the tier Meta last reported ({@code TIER_250} ... {@code TIER_UNLIMITED}), or null
 * @param limit recipients allowed per 24 hours, or null when none is known (not limited)
 * @param usagePercent {@code recipients / limit} in percent, two decimals, or null without a limit
 */
public record MessagingLimitUsage(String account, List<String> orgIds, long recipients, String tier, Integer limit,
        Double usagePercent) {
    public MessagingLimitUsage {
        orgIds = List.copyOf(orgIds);
    }
}

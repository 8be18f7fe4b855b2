package io.whatsappoutbox.jdbc.ops;

import java.time.Instant;
import java.util.List;

/**
 * A provider configuration without its secrets: whether they are set, never what they are.
 *
 * @param previousSecretValidUntil end of a rotation's overlap, or null
 * @param daysSinceUpdate whole days since the last change
 * @param unreadableSecrets the sealed columns that do not open with the configured keys
 *     ({@code access_token}, {@code webhook_secret}, {@code previous_webhook_secret}); empty when
 *     all open, null when the keys were not given (nothing was checked)
 * @param qualityRating the quality Meta last reported for a number of the account ({@code GREEN},
 *     {@code YELLOW}, {@code RED}), or null when none was reported
 * @param messagingLimit the business portfolio's messaging limit tier Meta last reported
 *     ({@code TIER_2K} ...), or null
 * @param accountStanding the account's restriction or ban as Meta last reported it
 *     ({@code RESTRICTED_BIZ_INITIATED_MESSAGING until 2026-12-04T10:00:00Z}, {@code DISABLE}), or
 *     {@code ok}
 */
public record ProviderConfigSummary(String orgId, String phoneNumberId, String businessAccountId, boolean enabled,
        boolean hasAccessToken, boolean hasWebhookSecret, Instant previousSecretValidUntil, Integer messagesPerSecond,
        Instant createdAt, Instant updatedAt, String updatedBy, long daysSinceUpdate, List<String> unreadableSecrets,
        String qualityRating, String messagingLimit, String accountStanding) {
    public ProviderConfigSummary {
        unreadableSecrets = unreadableSecrets == null ? null : List.copyOf(unreadableSecrets);
    }
}

package io.whatsappoutbox.core.ops;

import java.time.Instant;

/**
 * A provider configuration without its secrets: whether they are set, never what they are.
 *
 * @param previousSecretValidUntil end of a rotation's overlap, or null
 * @param daysSinceUpdate whole days since the last change
 */
public record ProviderConfigSummary(String orgId, String phoneNumberId, String businessAccountId, boolean enabled,
        boolean hasAccessToken, boolean hasWebhookSecret, Instant previousSecretValidUntil, Integer messagesPerSecond,
        Instant createdAt, Instant updatedAt, String updatedBy, long daysSinceUpdate) {}

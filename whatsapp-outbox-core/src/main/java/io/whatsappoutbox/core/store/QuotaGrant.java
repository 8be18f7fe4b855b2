package io.whatsappoutbox.core.store;

import java.time.Instant;

/**
 * Quota reserved for one org in one batch.
 *
 * @param granted how many of the wanted messages may be sent now
 * @param blockedUntil when the rest may be sent (the quota's reset), or null when all were granted
 */
public record QuotaGrant(String orgId, int granted, Instant blockedUntil) {}

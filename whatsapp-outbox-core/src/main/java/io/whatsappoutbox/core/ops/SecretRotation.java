package io.whatsappoutbox.core.ops;

import io.whatsappoutbox.core.Secret;
import java.time.Instant;
import java.util.UUID;

/**
 * A rotated webhook secret.
 *
 * @param newSecret the new secret, to set on the provider's side: shown once, stored only sealed,
 *     never logged; null in a dry run
 * @param previousValidUntil until when the previous secret still verifies, or null when there was none
 */
public record SecretRotation(UUID operationId, boolean dryRun, String orgId, Secret newSecret,
        Instant previousValidUntil) {}

package io.whatsappoutbox.jdbc.ops;

import java.time.Instant;
import java.util.UUID;

/**
 * What a retention run deleted (or, in a dry run, would delete), per table.
 *
 * @param asOf the run's time: each cutoff is this minus the policy's duration
 * @param attempts the attempts of the settled messages deleted, which went with them
 */
public record RetentionResult(UUID operationId, boolean dryRun, Instant asOf, String scope, long settledMessages,
        long attempts, long inboundMessages, long auditRows) {}

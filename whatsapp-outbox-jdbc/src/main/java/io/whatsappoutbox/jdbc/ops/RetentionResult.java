package io.whatsappoutbox.jdbc.ops;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a retention run deleted (or, in a dry run, would delete), per table.
 *
 * @param asOf the run's time: each cutoff is this minus the policy's duration
 * @param attempts the attempts of the settled messages deleted, which went with them
 * @param archiveFiles the JSON Lines files the deleted rows were archived to, one per batch, in order;
 *     empty when nothing was archived
 */
public record RetentionResult(UUID operationId, boolean dryRun, Instant asOf, String scope, long settledMessages,
        long attempts, long inboundMessages, long auditRows, List<String> archiveFiles) {
    public RetentionResult {
        archiveFiles = List.copyOf(archiveFiles);
    }
}

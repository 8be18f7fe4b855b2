package io.whatsappoutbox.jdbc.ops;

import java.util.UUID;

/**
 * A quota changed or reset (or, in a dry run, what it would become).
 *
 * @param before the row before, or null when the org had none
 */
public record QuotaChange(UUID operationId, OperationKind kind, boolean dryRun, QuotaUsage before, QuotaUsage after) {}

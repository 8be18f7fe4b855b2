package io.whatsappoutbox.jdbc.ops;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code outbox_audit}.
 *
 * @param action an {@link OperationKind} name (kept as text: rows written by a newer version stay readable)
 * @param scope the org, or {@value Scope#ALL_ORGS_LABEL} for all orgs
 * @param filterJson the filter as JSON, or null
 * @param affectedCount messages or rows changed, or those a dry run selected
 * @param detailsJson what the operation recorded about itself (ids, counts, before/after), or null
 */
public record AuditEntry(long id, UUID operationId, String action, String operator, String reason, String scope,
        String filterJson, boolean dryRun, int affectedCount, String detailsJson, Instant createdAt) {}

package io.whatsappoutbox.jdbc.ops;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A webhook secret rotation: the app secret the operator gave installed (it is never part of the
 * result, the audit log or a log line).
 *
 * @param orgId the org asked for, or null for all orgs
 * @param orgIds every org whose secret is (in a dry run: would be) replaced, sorted: the org asked
 *     for and the orgs sharing its Meta app's secret
 * @param previousValidUntil until when the previous secret still verifies, or null when there was none
 *     (or in a dry run)
 */
public record SecretRotation(UUID operationId, boolean dryRun, String orgId, List<String> orgIds,
        Instant previousValidUntil) {
    public SecretRotation {
        orgIds = List.copyOf(orgIds);
    }
}

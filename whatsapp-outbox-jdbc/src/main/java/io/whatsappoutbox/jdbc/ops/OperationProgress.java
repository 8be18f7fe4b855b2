package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.MessageStatus;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

/**
 * Where the messages an operation touched are now: the runbook's "monitor retry progress". A
 * message carries the id of the last operation that changed it, and archived messages are gone,
 * so later operations take messages out of an earlier one's counts.
 *
 * @param affectedCount what the audit row says the operation changed
 * @param statusCounts every status, zero included, counting the touched messages still carrying the id
 * @param successRate accepted (SENT, DELIVERED, READ) / settled in percent, one decimal; null while none settled
 */
public record OperationProgress(UUID operationId, String action, String operator, String reason, String scope,
        boolean dryRun, int affectedCount, Instant startedAt, Map<MessageStatus, Long> statusCounts, long messages,
        Double successRate) {

    public OperationProgress {
        Map<MessageStatus, Long> copy = new EnumMap<>(MessageStatus.class);
        copy.putAll(statusCounts);
        statusCounts = Collections.unmodifiableMap(copy);
    }
}

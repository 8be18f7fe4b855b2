package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.MessageStatus;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a bulk change did, or would do in a dry run.
 *
 * @param operationId the audit row's id, also on every touched message's {@code operation_id}
 * @param messageIds the messages selected, in the order they were handled; a dry run lists exactly
 *     those a real run started at the same moment would touch
 * @param changed messages changed (0 in a dry run)
 * @param skipped selected messages that moved on before their batch ran (another operator, a
 *     dispatcher or a receipt got there first) and were left alone
 * @param batches transactions used
 * @param resultingStatuses how many messages ended (or would end) in each status
 */
public record BulkResult(UUID operationId, OperationKind kind, boolean dryRun, List<Long> messageIds, int changed,
        int skipped, int batches, Map<MessageStatus, Integer> resultingStatuses) {

    public BulkResult {
        messageIds = List.copyOf(messageIds);
        Map<MessageStatus, Integer> copy = new EnumMap<>(MessageStatus.class);
        copy.putAll(resultingStatuses);
        resultingStatuses = Collections.unmodifiableMap(copy);
    }

    public int selected() {
        return messageIds.size();
    }
}

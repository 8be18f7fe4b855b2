package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.MessageStatus;
import java.util.UUID;

/** One message retried or cancelled (or, in a dry run, found ready to be). */
public record MessageChange(UUID operationId, OperationKind kind, boolean dryRun, String orgId, long messageId,
        MessageStatus before, MessageStatus after) {}

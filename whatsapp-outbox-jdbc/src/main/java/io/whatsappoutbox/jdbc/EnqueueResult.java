package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.core.OutboundMessage;
import java.util.List;

/**
 * The answer to an enqueue.
 *
 * @param message the stored message: the new one, or the one already stored under the key
 * @param created false when the idempotency key was already used with the same content
 * @param superseded the QUEUED messages this enqueue cancelled ({@code supersedes}), by id; empty when
 *     nothing matched or when the message already existed
 */
public record EnqueueResult(OutboundMessage message, boolean created, List<Long> superseded) {

    public EnqueueResult {
        superseded = superseded == null ? List.of() : List.copyOf(superseded);
    }

    public EnqueueResult(OutboundMessage message, boolean created) {
        this(message, created, List.of());
    }
}

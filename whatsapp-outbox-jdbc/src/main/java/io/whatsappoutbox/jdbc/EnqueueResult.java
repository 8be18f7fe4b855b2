package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.core.OutboundMessage;

/**
 * The answer to an enqueue.
 *
 * @param message the stored message: the new one, or the one already stored under the key
 * @param created false when the idempotency key was already used with the same content
 */
public record EnqueueResult(OutboundMessage message, boolean created) {}

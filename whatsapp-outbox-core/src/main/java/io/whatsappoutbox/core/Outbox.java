package io.whatsappoutbox.core;

import java.util.List;
import java.util.Optional;

/**
 * The host's entry point for writing messages. Store modules add forms that join the host's own
 * transaction (the JDBC store takes a {@code java.sql.Connection} or a Jdbi {@code Handle}); the
 * forms here run their own transaction.
 */
public interface Outbox {

    /**
     * Stores a message to send, once per org and idempotency key.
     *
     * @return the new message, or the existing one when the key was used with the same content
     * @throws IdempotencyConflictException the key was used with other content
     */
    EnqueueResult enqueue(OutboundMessageRequest request);

    /** Enqueues many messages in one transaction and one round trip; all or none are stored. */
    List<EnqueueResult> enqueueAll(List<OutboundMessageRequest> requests);

    /** A message of {@code orgId}; another org's message is not found. */
    Optional<OutboundMessage> find(String orgId, long messageId);

    /** The attempts of a message, oldest first. */
    List<Attempt> attempts(String orgId, long messageId);
}

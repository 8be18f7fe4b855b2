package io.whatsappoutbox.jdbc;

import java.sql.Connection;

/**
 * The host's transaction in progress, for the writes a host calls without a connection
 * ({@link JdbcOutbox#enqueue(io.whatsappoutbox.core.OutboundMessageRequest)}, {@code enqueueAll},
 * {@code cancel} and {@link JdbcOutbox#consents()}' grants and revocations): when the host has one,
 * they join it and are committed or rolled back with the host's own rows; when it has none, each
 * commits in a transaction of its own. The Spring Boot starter gives one on Spring's transactions.
 */
public interface HostTransactions {

    /**
     * The connection of the transaction in progress on the calling thread, or null when there is
     * none. Never a connection in autocommit: where a transaction is in progress that the outbox
     * cannot join (on another database, say), throw, naming why: silently writing outside it would
     * send a message for rows that roll back.
     */
    Connection currentConnection();

    /** Gives back a connection {@link #currentConnection()} returned; the outbox never commits or closes it. */
    void release(Connection connection);
}

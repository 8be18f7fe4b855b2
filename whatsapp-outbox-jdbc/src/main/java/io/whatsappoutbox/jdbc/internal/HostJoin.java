package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.jdbc.HostTransactions;
import java.sql.Connection;
import java.sql.SQLException;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * A write called without a connection: on the host's transaction in progress when a
 * {@link HostTransactions} gives one, else in a transaction of its own. Internal.
 */
public final class HostJoin {
    private final Jdbi jdbi;
    private final HostTransactions host;

    /** @param host the host's transactions, or null: every such write commits on its own */
    public HostJoin(Jdbi jdbi, HostTransactions host) {
        this.jdbi = jdbi;
        this.host = host;
    }

    public <T, X extends Exception> T inTransaction(HandleCallback<T, X> work) throws X {
        Connection joined = host == null ? null : host.currentConnection();
        if (joined == null) {
            return jdbi.inTransaction(work);
        }
        try {
            if (joined.getAutoCommit()) {
                throw new IllegalStateException("the host's transaction connection is in autocommit: the outbox"
                        + " would commit its write on its own; give a connection of a transaction in progress, or null");
            }
            return Jdbis.onHostConnection(joined, SchemaNames.of(jdbi)).withHandle(work);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot use the host's transaction connection: " + e.getMessage(), e);
        } finally {
            host.release(joined);
        }
    }
}

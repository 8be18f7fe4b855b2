package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.jdbc.JdbcOutbox.OutboxStoreException;
import java.sql.SQLException;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * The store's one way to run work: Jdbi's handles and transactions, for the plain-JDBC hot
 * statements ({@link PlainStatement}, on the handle's connection) as for the others; a JDBC
 * failure comes out as an {@link OutboxStoreException} naming what failed. Internal.
 */
final class StoreWork {
    private StoreWork() {}

    /** On one connection, in autocommit: each statement is its own transaction. */
    static <T> T withHandle(Jdbi jdbi, String what, HandleCallback<T, SQLException> work) {
        try {
            return jdbi.withHandle(work);
        } catch (SQLException e) {
            throw new OutboxStoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    /** In one transaction: committed when it returns, rolled back when it throws. */
    static <T> T inTransaction(Jdbi jdbi, String what, HandleCallback<T, SQLException> work) {
        try {
            return jdbi.inTransaction(work);
        } catch (SQLException e) {
            throw new OutboxStoreException(what + " failed: " + e.getMessage(), e);
        }
    }
}

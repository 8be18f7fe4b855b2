package io.whatsappoutbox.spring;

import io.whatsappoutbox.jdbc.HostTransactions;
import java.sql.Connection;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Spring's transaction in progress on the outbox's DataSource, for the outbox's writes called
 * without a connection: they join it. A transaction in progress that holds no connection of that
 * DataSource (a transaction manager on another DataSource, JTA without it) cannot be joined: the
 * write fails rather than commit on its own.
 */
final class SpringHostTransactions implements HostTransactions {
    private final DataSource dataSource;

    SpringHostTransactions(DataSource dataSource) {
        // the transaction manager binds the target, not a proxy around it
        this.dataSource = dataSource instanceof TransactionAwareDataSourceProxy proxy ? proxy.getTargetDataSource()
                : dataSource;
    }

    @Override
    public Connection currentConnection() {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            return null;
        }
        if (TransactionSynchronizationManager.getResource(dataSource) == null) {
            throw new IllegalStateException("A Spring transaction is in progress but holds no connection of the"
                    + " outbox's DataSource, so the outbox cannot join it and will not write outside it: run the"
                    + " transaction on the DataSource the outbox uses (its transaction manager), or pass the"
                    + " connection to enqueue(connection, request)");
        }
        return DataSourceUtils.getConnection(dataSource);
    }

    @Override
    public void release(Connection connection) {
        DataSourceUtils.releaseConnection(connection, dataSource);
    }
}

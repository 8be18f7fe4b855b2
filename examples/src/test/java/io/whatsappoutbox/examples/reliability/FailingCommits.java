package io.whatsappoutbox.examples.reliability;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource whose connections refuse every commit (rolling the transaction back): a store that
 * fails at the last moment, after every statement of a webhook batch ran. Whatever was written in
 * the transaction must then be gone.
 */
final class FailingCommits implements DataSource {
    private final DataSource real;

    FailingCommits(DataSource real) {
        this.real = real;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return refusingCommits(real.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return refusingCommits(real.getConnection(username, password));
    }

    private static Connection refusingCommits(Connection c) {
        return (Connection) Proxy.newProxyInstance(FailingCommits.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        c.rollback();
                        throw new SQLException("injected: the database refused the commit", "08006");
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return real.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        real.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        real.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return real.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return real.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return real.isWrapperFor(iface);
    }
}

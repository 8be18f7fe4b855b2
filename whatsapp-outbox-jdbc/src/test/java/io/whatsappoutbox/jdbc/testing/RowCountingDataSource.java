package io.whatsappoutbox.jdbc.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * A DataSource that counts the rows its callers read from every result set: how a test tells a
 * procedure that reads each row once from one that reads the same rows again and again, without
 * timing anything.
 */
public final class RowCountingDataSource {
    private final AtomicLong rows = new AtomicLong();
    private final DataSource dataSource;

    public RowCountingDataSource(DataSource target) {
        this.dataSource = proxy(DataSource.class, target);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Rows read since the last reset. */
    public long rowsRead() {
        return rows.get();
    }

    public void reset() {
        rows.set(0);
    }

    @SuppressWarnings("unchecked")
    private <T> T proxy(Class<T> type, T target) {
        InvocationHandler handler = (p, method, args) -> {
            Object result = invoke(target, method, args);
            if (type == ResultSet.class && method.getName().equals("next") && Boolean.TRUE.equals(result)) {
                rows.incrementAndGet();
            }
            if (result instanceof ResultSet rs && !(result instanceof Proxy)) {
                return proxy(ResultSet.class, rs);
            }
            if (result instanceof Connection c && type == DataSource.class) {
                return proxy(Connection.class, c);
            }
            if (result instanceof Statement s && type == Connection.class) {
                return proxyStatement(s);
            }
            return result;
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A statement keeps its most specific interface (prepared, callable): drivers and Jdbi cast to it. */
    private Object proxyStatement(Statement s) {
        Class<?> type = s instanceof java.sql.CallableStatement ? java.sql.CallableStatement.class
                : s instanceof java.sql.PreparedStatement ? java.sql.PreparedStatement.class : Statement.class;
        InvocationHandler handler = (p, method, args) -> {
            Object result = invoke(s, method, args);
            return result instanceof ResultSet rs ? proxy(ResultSet.class, rs) : result;
        };
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }
}

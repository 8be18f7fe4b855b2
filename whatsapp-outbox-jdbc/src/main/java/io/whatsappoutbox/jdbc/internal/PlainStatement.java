package io.whatsappoutbox.jdbc.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.ParsedSql;
import org.jdbi.v3.core.statement.SqlStatements;

/**
 * One of the dispatcher's hot statements (claim, quota, completion) run on plain JDBC. Its
 * {@code :names} are turned into JDBC's {@code ?} once, by the library Jdbi's own parser, so the SQL
 * reads the same as every other statement of the library. Through Jdbi, each call re-resolved the
 * argument type of every binding and wrapped the statement and its result set: a few percent of a
 * drain's CPU, and the largest share of what the JIT compiler kept recompiling during one. Internal.
 */
final class PlainStatement {
    private final String sql;
    /** 1-based JDBC positions of each name; a name used twice in the SQL is bound twice. */
    private final Map<String, int[]> positions;

    PlainStatement(Jdbi jdbi, String namedSql) {
        ParsedSql parsed = jdbi.getConfig(SqlStatements.class).getSqlParser()
                .parse(SchemaNames.of(jdbi).qualify(namedSql), null);
        List<String> names = parsed.getParameters().getParameterNames();
        if (parsed.getParameters().isPositional()) {
            throw new IllegalArgumentException("statement must use :named parameters, not ?: " + namedSql);
        }
        Map<String, List<Integer>> at = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            at.computeIfAbsent(names.get(i), n -> new ArrayList<>()).add(i + 1);
        }
        Map<String, int[]> byName = new HashMap<>();
        at.forEach((name, list) -> byName.put(name, list.stream().mapToInt(Integer::intValue).toArray()));
        this.sql = parsed.getSql();
        this.positions = Map.copyOf(byName);
    }

    /** A statement to bind every name of, then execute; the caller closes it. */
    Bound prepare(Connection c) throws SQLException {
        return new Bound(c, c.prepareStatement(sql));
    }

    /** The names, for tests that check a caller binds each one. */
    Set<String> names() {
        return positions.keySet();
    }

    /** A prepared statement bound by name; binding a name the SQL does not have is a bug, and throws. */
    final class Bound implements AutoCloseable {
        private final Connection connection;
        private final PreparedStatement statement;

        private Bound(Connection connection, PreparedStatement statement) {
            this.connection = connection;
            this.statement = statement;
        }

        Bound set(String name, Object value) throws SQLException {
            for (int p : at(name)) {
                statement.setObject(p, value);
            }
            return this;
        }

        Bound set(String name, int value) throws SQLException {
            for (int p : at(name)) {
                statement.setInt(p, value);
            }
            return this;
        }

        Bound set(String name, String value) throws SQLException {
            for (int p : at(name)) {
                statement.setString(p, value);
            }
            return this;
        }

        /** As {@code timestamptz}, in UTC (never through the JVM's zone). */
        Bound set(String name, Instant value) throws SQLException {
            return set(name, (Object) Times.utc(value));
        }

        /** An array parameter; {@code sqlType} is the element type, as in {@code bigint} or {@code text}. */
        Bound array(String name, String sqlType, Object[] values) throws SQLException {
            Array array = connection.createArrayOf(sqlType, values);
            for (int p : at(name)) {
                statement.setArray(p, array);
            }
            return this;
        }

        PreparedStatement statement() {
            return statement;
        }

        private int[] at(String name) {
            int[] p = positions.get(name);
            if (p == null) {
                throw new IllegalArgumentException("no parameter :" + name + " in " + sql);
            }
            return p;
        }

        @Override
        public void close() throws SQLException {
            statement.close();
        }
    }
}

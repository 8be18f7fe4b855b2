package io.whatsappoutbox.examples.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** One command's connection: a small pool, the outbox on it, and its operations. */
final class CliSession implements AutoCloseable {
    /** How long the CLI waits for the database before it gives up (exit 3). */
    static final long CONNECT_TIMEOUT_MS = 5_000;

    private final DemoDatabase demo;
    private final HikariDataSource dataSource;
    private final JdbcOutbox outbox;

    private CliSession(DemoDatabase demo, HikariDataSource dataSource, JdbcOutbox outbox) {
        this.demo = demo;
        this.dataSource = dataSource;
        this.outbox = outbox;
    }

    /** What to connect to, resolved from flags and environment variables. */
    record Settings(String jdbcUrl, String user, String password, EncryptionKeys keys, boolean demo, String schema) {}

    static CliSession open(Settings s) {
        DemoDatabase demo = s.demo() ? DemoDatabase.start() : null;
        HikariDataSource ds = null;
        try {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(demo != null ? demo.jdbcUrl() : s.jdbcUrl());
            config.setUsername(demo != null ? "postgres" : s.user());
            config.setPassword(demo != null ? "postgres" : s.password());
            config.setMaximumPoolSize(2);
            config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
            config.setInitializationFailTimeout(1); // one try: a refused connection fails at once
            config.addDataSourceProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_MS / 1000));
            config.setPoolName("outbox-cli");
            try {
                ds = new HikariDataSource(config);
            } catch (RuntimeException e) {
                throw new CliExit.DatabaseUnreachable("database unreachable: " + rootMessage(e), e);
            }
            checkSchema(ds, s.schema());
            JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).schema(s.schema()).encryptionKeys(s.keys()).build();
            return new CliSession(demo, ds, outbox);
        } catch (RuntimeException e) {
            if (ds != null) {
                ds.close();
            }
            if (demo != null) {
                demo.close();
            }
            throw e;
        }
    }

    private static void checkSchema(HikariDataSource ds, String schema) {
        try (Connection c = ds.getConnection(); java.sql.PreparedStatement st = c.prepareStatement(
                "SELECT to_regclass(? || '.outbound_message') IS NOT NULL, to_regclass('public.outbound_message') IS NOT NULL")) {
            st.setString(1, schema);
            ResultSet rs = st.executeQuery();
            rs.next();
            if (!rs.getBoolean(1)) {
                throw new IllegalStateException("the outbox's tables are not in schema " + schema + " of this database"
                        + (rs.getBoolean(2) && !schema.equals("public") ? " (they are in public: an install from before"
                                + " schemas; give --schema public, or let the library's migrate() move them)"
                                : " (apply the schema with OutboxMigrator, or Flyway with the location"
                                        + " classpath:whatsapp-outbox-migration)"));
            }
        } catch (SQLException e) {
            throw new CliExit.DatabaseUnreachable("database unreachable: " + e.getMessage(), e);
        }
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    OutboxOperations operations() {
        return outbox.operations();
    }

    JdbcOutbox outbox() {
        return outbox;
    }

    @Override
    public void close() {
        outbox.close();
        dataSource.close();
        if (demo != null) {
            demo.close();
        }
    }
}

package io.whatsappoutbox.jdbc.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.jdbc.OutboxMigrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * One real PostgreSQL 17 server per test JVM (embedded, fetched by Maven), and a fresh database per
 * caller, migrated with the library's own migrator. Test support: shared through the test-jar.
 */
public final class TestDatabase {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static volatile EmbeddedPostgres server;

    private TestDatabase() {}

    /** The shared server, started on first use and stopped when the JVM exits. */
    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder()
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return server;
    }

    /** A new empty database, migrated, behind a small pool. */
    public static HikariDataSource newMigratedDatabase() {
        HikariDataSource ds = newEmptyDatabase(16);
        OutboxMigrator.migrate(ds);
        return ds;
    }

    public static HikariDataSource newEmptyDatabase(int poolSize) {
        String name = "outbox_test_" + DATABASES.incrementAndGet();
        DataSource admin = server().getPostgresDatabase();
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database", e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(name));
        config.setUsername("postgres");
        config.setPassword("postgres");
        config.setMaximumPoolSize(poolSize);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    /**
     * A URL whose connections find the outbox's tables by their bare names, as an operator's session
     * with {@code search_path} set does: the tests' own SQL names them bare. The library qualifies its
     * own whatever the search_path ({@code SchemaQualificationTest} runs it without).
     */
    public static String jdbcUrl(String database) {
        return bareUrl(database) + (bareUrl(database).contains("?") ? "&" : "?") + "currentSchema=whatsapp_outbox,public";
    }

    /** A URL whose connections see {@code public} only, as a host's do. */
    public static String bareUrl(String database) {
        return server().getJdbcUrl("postgres", database);
    }
}

package io.whatsappoutbox.test.internal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One embedded PostgreSQL server per JVM, started on first use and stopped when the JVM exits:
 * starting one costs seconds, a database on it milliseconds. Internal.
 */
public final class EmbeddedServer implements DatabaseServer {
    private static final EmbeddedServer INSTANCE = new EmbeddedServer();
    // the one piece of state shared across kits: the server itself, never a test's data
    private static EmbeddedPostgres server;

    private EmbeddedServer() {}

    static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder()
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }, "outbox-test-kit-postgres-stop"));
        }
        return server;
    }

    /** The JVM's embedded server (started on first use). */
    public static EmbeddedServer instance() {
        return INSTANCE;
    }

    @Override
    public String jdbcUrl(String database) {
        return server().getJdbcUrl(USER, database);
    }

    @Override
    public Connection admin() throws SQLException {
        return server().getPostgresDatabase().getConnection();
    }
}

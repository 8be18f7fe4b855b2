package io.whatsappoutbox.test.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * One embedded PostgreSQL server per JVM, started on first use and stopped when the JVM exits:
 * starting one costs seconds, a database on it milliseconds. Internal.
 */
public final class EmbeddedServer {
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
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

    /** A new empty database's name; unique across kits and JVM runs sharing nothing. */
    public static String createDatabase() {
        String name = "outbox_kit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin("CREATE DATABASE " + name);
        return name;
    }

    /** Drops the database, closing whatever connections a test left open on it. */
    public static void dropDatabase(String name) {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    public static String jdbcUrl(String database) {
        return server().getJdbcUrl(USER, database);
    }

    public static HikariDataSource pool(String database, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(database));
        config.setUsername(USER);
        config.setPassword(PASSWORD);
        config.setMaximumPoolSize(size);
        config.setPoolName(database);
        return new HikariDataSource(config);
    }

    private static void admin(String statement) {
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException("embedded PostgreSQL refused: " + statement, e);
        }
    }
}

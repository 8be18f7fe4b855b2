package io.whatsappoutbox.examples.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL 17 server in one durability mode, with {@code pg_stat_statements}
 * preloaded, and a fresh database per contender and scale so that no run inherits another's
 * bloat or statistics.
 */
final class BenchServer implements AutoCloseable {
    /** How the server writes: the embedded defaults, or what production runs. */
    enum Mode {
        FSYNC_OFF("fsync-off", "fsync=off, synchronous_commit=off, full_page_writes=off (embedded defaults)"),
        DURABLE("durable", "fsync=on, synchronous_commit=on, full_page_writes=on (production settings)");

        final String label;
        final String description;

        Mode(String label, String description) {
            this.label = label;
            this.description = description;
        }
    }

    private static final AtomicInteger DATABASES = new AtomicInteger();

    final Mode mode;
    /** Null in a contender's own JVM, which attaches to the server its parent started. */
    private final EmbeddedPostgres server;
    private final int port;
    private final HikariDataSource admin;

    private BenchServer(Mode mode, EmbeddedPostgres server, int port) {
        this.mode = mode;
        this.server = server;
        this.port = port;
        this.admin = pool("postgres", 2, "bench-admin");
    }

    /** The server another JVM started and still runs, on this machine. */
    static BenchServer attach(Mode mode, int port) {
        return new BenchServer(mode, null, port);
    }

    int port() {
        return port;
    }

    /** With {@code verbose}, planning is tracked too (it costs a little on every statement). */
    static BenchServer start(Mode mode, boolean verbose) throws IOException, SQLException {
        String on = mode == Mode.DURABLE ? "on" : "off";
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("fsync", on)
                .setServerConfig("synchronous_commit", on)
                .setServerConfig("full_page_writes", on)
                .setServerConfig("max_connections", "300")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.max", "10000")
                .setServerConfig("pg_stat_statements.track", "top")
                .setServerConfig("pg_stat_statements.track_planning", verbose ? "on" : "off")
                .start();
        BenchServer server = new BenchServer(mode, pg, pg.getPort());
        server.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        return server;
    }

    /** A new empty database. */
    String createDatabase(String prefix) throws SQLException {
        String name = (prefix + "_" + DATABASES.incrementAndGet()).replaceAll("[^a-z0-9_]", "_");
        execute("CREATE DATABASE " + name);
        return name;
    }

    HikariDataSource pool(String database, int size, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://localhost:" + port + "/" + database);
        config.setUsername("postgres");
        config.setPassword("postgres");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setPoolName(name);
        // the floor's and the peers' SQL names the tables bare: the outbox's schema first
        config.addDataSourceProperty("currentSchema", "whatsapp_outbox,public");
        return new HikariDataSource(config);
    }

    /** Cluster-wide statistics of one database, read from the admin database. */
    DbStats stats(String database) throws SQLException {
        return DbStats.read(admin, database);
    }

    void resetStatements() throws SQLException {
        execute("SELECT pg_stat_statements_reset()");
    }

    /** The postmaster's process id, from its pid file. */
    long postmasterPid() throws SQLException, IOException {
        String dir = setting("data_directory");
        return Long.parseLong(java.nio.file.Files.readAllLines(java.nio.file.Path.of(dir, "postmaster.pid")).get(0).trim());
    }

    String version() throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    String setting(String name) throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    void execute(String sql) throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() throws IOException {
        admin.close();
        if (server != null) {
            server.close();
        }
    }
}

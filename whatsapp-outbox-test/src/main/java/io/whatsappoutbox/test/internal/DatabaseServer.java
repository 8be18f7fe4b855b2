package io.whatsappoutbox.test.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** A PostgreSQL server the kit makes its databases on: the embedded one, or a container. Internal. */
public interface DatabaseServer {
    String USER = "postgres";
    String PASSWORD = "postgres";

    /** A URL of {@code database} on this server, the user included. */
    String jdbcUrl(String database);

    /** A connection to the server's {@code postgres} database, to create and drop the others. */
    Connection admin() throws SQLException;

    /** A new empty database's name; unique across kits and JVM runs sharing nothing. */
    default String createDatabase() {
        String name = "outbox_kit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        execute("CREATE DATABASE " + name);
        return name;
    }

    /** Drops the database, closing whatever connections a test left open on it. */
    default void dropDatabase(String name) {
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    default HikariDataSource pool(String database, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(database));
        config.setUsername(USER);
        config.setPassword(PASSWORD);
        config.setMaximumPoolSize(size);
        config.setPoolName(database);
        return new HikariDataSource(config);
    }

    private void execute(String statement) {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL refused: " + statement, e);
        }
    }
}

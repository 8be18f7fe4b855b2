package io.whatsappoutbox.spring;

import io.whatsappoutbox.jdbc.OutboxMigrator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The outbox's scripts run by Flyway, apart from the host's: their own location and history table,
 * so that neither sees the other's versions. A schema the library migrated itself is baselined at
 * the version it has, so that Flyway carries on from there. Loaded only in {@code flyway} mode.
 */
final class FlywayMigrations {
    private FlywayMigrations() {}

    static void migrate(DataSource dataSource, String schema) {
        OutboxMigrator.moveFromPublic(dataSource, schema);
        Flyway.configure().dataSource(dataSource).locations(OutboxMigrator.LOCATION).schemas(schema)
                .defaultSchema(schema).table(OutboxMigrator.FLYWAY_HISTORY_TABLE)
                // a schema the library migrated itself: carry on from its version
                .baselineOnMigrate(true).baselineVersion(String.valueOf(appliedByTheLibrary(dataSource, schema)))
                .baselineDescription("whatsapp-outbox schema before Flyway").load().migrate();
    }

    /** The version OutboxMigrator recorded, 0 when it never ran here. */
    private static int appliedByTheLibrary(DataSource dataSource, String schema) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('" + schema + ".outbox_schema_history') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + schema + ".outbox_schema_history")) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the outbox's schema version: " + e.getMessage(), e);
        }
    }
}

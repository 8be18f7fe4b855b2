package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.jdbc.internal.SchemaNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the outbox schema for hosts without Flyway (a host's Flyway may run the scripts instead,
 * from {@value #LOCATION} with a history table of its own, {@value #FLYWAY_HISTORY_TABLE}; the
 * location is outside Flyway's default {@code db/migration}, so that a host's Flyway never mixes
 * them with its own versions). Safe to run at every start and from several instances at once: it
 * takes a transaction-scoped advisory lock, applies what is missing in one transaction, records it
 * in {@code outbox_schema_history}, and refuses to touch a schema newer than it knows or a script
 * changed after it was applied.
 */
public final class OutboxMigrator {
    /** Where the versioned scripts live, in Flyway's naming ({@code V1__name.sql}). */
    public static final String LOCATION = "classpath:whatsapp-outbox-migration";
    /** The history table for the outbox's scripts when a host's Flyway runs them. */
    public static final String FLYWAY_HISTORY_TABLE = "whatsapp_outbox_flyway_history";
    static final String RESOURCE_DIR = "whatsapp-outbox-migration/";
    /** Every script, in order. A test checks the directory holds exactly these. */
    static final List<String> SCRIPTS = List.of("V1__outbox_schema.sql", "V2__consent_status_in_its_key.sql",
            "V3__every_message_type.sql", "V4__template_registry.sql", "V5__consent_by_purpose.sql",
            "V6__inbound_details_and_pricing.sql", "V7__lifecycle_holds.sql", "V9__messaging_limits.sql",
            "V10__shared_pacing.sql", "V11__send_by.sql", "V12__cancel_by_dossier.sql",
            "V14__priority_and_ordering.sql", "V15__sending_hours.sql", "V16__trace_context.sql");
    private static final long LOCK_KEY = 0x5741_4f42_4d49_4752L; // "WAOBMIGR"
    private static final Logger log = LoggerFactory.getLogger(OutboxMigrator.class);

    private OutboxMigrator() {}

    /** The newest schema version this library knows. */
    public static int latestVersion() {
        return version(SCRIPTS.get(SCRIPTS.size() - 1));
    }

    /**
     * Brings the schema to {@link #latestVersion()}.
     *
     * @return the versions applied by this call (empty when the schema was current)
     * @throws IllegalStateException when the database holds a newer or a different schema
     */
    public static List<Integer> migrate(DataSource dataSource) {
        return migrate(dataSource, Clock.systemUTC(), "whatsapp-outbox");
    }

    public static List<Integer> migrate(DataSource dataSource, Clock clock, String appliedBy) {
        return migrate(dataSource, clock, appliedBy, SchemaNames.DEFAULT_SCHEMA);
    }

    /**
     * Brings the outbox's tables in {@code schema} to {@link #latestVersion()}, creating the schema if
     * needed. An install from before schemas (its tables in {@code public}) is first moved into
     * {@code schema} with every row, in the same transaction.
     */
    public static List<Integer> migrate(DataSource dataSource, Clock clock, String appliedBy, String schema) {
        SchemaNames names = new SchemaNames(schema);
        return locked(dataSource, names, "whatsapp-outbox migration failed", c -> migrate(c, clock, appliedBy, names));
    }

    /**
     * Moves an install from before schemas into {@code schema}, rows and all, when it is in
     * {@code public} and {@code schema} has none: what {@link #migrate} does first, for hosts whose
     * Flyway runs the scripts.
     */
    public static void moveFromPublic(DataSource dataSource, String schema) {
        SchemaNames names = new SchemaNames(schema);
        locked(dataSource, names, "moving the outbox's tables into " + schema + " failed", c -> {
            moveFromPublic(c, names);
            return null;
        });
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** {@code work} in one transaction that holds the migration lock, the schema created first. */
    private static <T> T locked(DataSource dataSource, SchemaNames names, String failure, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                    s.execute("CREATE SCHEMA IF NOT EXISTS " + names.schema());
                }
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(failure + ": " + e.getMessage(), e);
        }
    }

    private static List<Integer> migrate(Connection c, Clock clock, String appliedBy, SchemaNames names)
            throws SQLException {
        try (Statement s = c.createStatement()) {
            moveFromPublic(c, names);
            // the scripts name their objects bare: they are created in the outbox's schema, for this transaction only
            s.execute("SET LOCAL search_path TO " + names.schema());
            s.execute("""
                    CREATE TABLE IF NOT EXISTS outbox_schema_history (
                        version     integer PRIMARY KEY,
                        script      text        NOT NULL,
                        checksum    text        NOT NULL,
                        applied_at  timestamptz NOT NULL,
                        applied_by  text        NOT NULL
                    )""");
        }
        Map<Integer, String> appliedChecksums = new TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version, checksum FROM outbox_schema_history")) {
            while (rs.next()) {
                appliedChecksums.put(rs.getInt(1), rs.getString(2));
            }
        }
        int newest = appliedChecksums.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        if (newest > latestVersion()) {
            throw new IllegalStateException("The database holds outbox schema version " + newest
                    + ", newer than this library knows (" + latestVersion()
                    + "): upgrade whatsapp-outbox on this instance instead of running an older one against it");
        }
        List<Integer> applied = new ArrayList<>();
        for (String script : SCRIPTS) {
            int version = version(script);
            String sql = read(script);
            String checksum = sha256(sql);
            String known = appliedChecksums.get(version);
            if (known != null) {
                if (!known.equals(checksum)) {
                    throw new IllegalStateException("Outbox schema script " + script
                            + " changed after it was applied (checksum differs): refusing to continue");
                }
                continue;
            }
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO outbox_schema_history (version, script, checksum, applied_at, applied_by) VALUES (?, ?, ?, ?, ?)")) {
                p.setInt(1, version);
                p.setString(2, script);
                p.setString(3, checksum);
                p.setObject(4, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                p.setString(5, appliedBy);
                p.executeUpdate();
            }
            log.info("Applied whatsapp-outbox schema version {} ({})", version, script);
            applied.add(version);
        }
        return applied;
    }

    /**
     * An install from before schemas: its tables, their rows, indexes, sequences and triggers, and
     * the trigger's function moved from {@code public} into the outbox's schema (a catalog change,
     * no row copied). Only when the schema has no outbox yet and {@code public} has one.
     */
    private static void moveFromPublic(Connection c, SchemaNames names) throws SQLException {
        if (names.schema().equals("public") || exists(c, names.table("outbox_schema_history"))
                || !exists(c, "public.outbox_schema_history")) {
            return;
        }
        int moved = 0;
        try (Statement s = c.createStatement()) {
            for (String table : SchemaNames.TABLES) {
                if (exists(c, "public." + table)) {
                    s.execute("ALTER TABLE public." + table + " SET SCHEMA " + names.schema());
                    moved++;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT to_regprocedure('public." + SchemaNames.NOTIFY_FUNCTION
                    + "()') IS NOT NULL")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    s.execute("ALTER FUNCTION public." + SchemaNames.NOTIFY_FUNCTION + "() SET SCHEMA " + names.schema());
                }
            }
        }
        log.info("Moved the outbox's {} tables, with their rows, from public into schema {}", moved, names.schema());
    }

    private static boolean exists(Connection c, String qualifiedTable) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            p.setString(1, qualifiedTable);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static int version(String script) {
        return Integer.parseInt(script.substring(1, script.indexOf("__")));
    }

    static String read(String script) {
        try (InputStream in = OutboxMigrator.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + script)) {
            if (in == null) {
                throw new IllegalStateException("Outbox schema script missing from the classpath: " + script);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read outbox schema script " + script, e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

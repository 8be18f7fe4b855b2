package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.io.File;
import java.net.URISyntaxException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MigrationTest {

    @Test
    void appliesTheSchemaOnceAndIsANoOpAfterwards() throws Exception {
        try (HikariDataSource ds = TestDatabase.newEmptyDatabase(4)) {
            assertThat(OutboxMigrator.migrate(ds)).containsExactlyElementsOf(allVersions());
            assertThat(OutboxMigrator.migrate(ds)).isEmpty();
            assertThat(count(ds, "SELECT count(*) FROM outbox_schema_history")).isEqualTo(OutboxMigrator.SCRIPTS.size());
            assertThat(count(ds, "SELECT count(*) FROM outbound_message")).isZero();
        }
    }

    @Test
    void runsFromSeveralInstancesAtOnce() throws Exception {
        try (HikariDataSource ds = TestDatabase.newEmptyDatabase(8)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<List<Integer>>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit((Callable<List<Integer>>) () -> OutboxMigrator.migrate(ds)));
            }
            List<Integer> applied = new ArrayList<>();
            for (Future<List<Integer>> f : runs) {
                applied.addAll(f.get());
            }
            pool.shutdown();
            assertThat(applied).containsExactlyElementsOf(allVersions());
            assertThat(count(ds, "SELECT count(*) FROM outbox_schema_history")).isEqualTo(OutboxMigrator.SCRIPTS.size());
        }
    }

    @Test
    void refusesASchemaNewerThanItKnows() throws Exception {
        try (HikariDataSource ds = TestDatabase.newMigratedDatabase()) {
            execute(ds, "INSERT INTO outbox_schema_history VALUES (99, 'V99__future.sql', 'x', now(), 'test')");
            assertThatThrownBy(() -> OutboxMigrator.migrate(ds))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("version 99, newer than this library knows (" + OutboxMigrator.latestVersion() + ")");
        }
    }

    @Test
    void refusesAScriptChangedAfterItWasApplied() throws Exception {
        try (HikariDataSource ds = TestDatabase.newMigratedDatabase()) {
            execute(ds, "UPDATE outbox_schema_history SET checksum = 'tampered' WHERE version = 1");
            assertThatThrownBy(() -> OutboxMigrator.migrate(ds)).hasMessageContaining("changed after it was applied");
        }
    }

    @Test
    void listsEveryScriptOfTheMigrationDirectoryInOrder() throws URISyntaxException {
        File dir = new File(getClass().getClassLoader().getResource(OutboxMigrator.RESOURCE_DIR).toURI());
        String[] files = dir.list((d, name) -> name.endsWith(".sql"));
        // by version number: V10 after V9
        Arrays.sort(files, java.util.Comparator.comparingInt(OutboxMigrator::version));
        assertThat(OutboxMigrator.SCRIPTS).containsExactly(files);
        assertThat(OutboxMigrator.latestVersion()).isEqualTo(OutboxMigrator.version(files[files.length - 1]));
    }

    @Test
    void constraintsRefuseWhatMustNeverHappen() throws Exception {
        try (HikariDataSource ds = TestDatabase.newMigratedDatabase()) {
            String insert = """
                    INSERT INTO outbound_message (org_id, channel, to_recipient, content_type, payload_json, content_hash,
                        status, idempotency_key, next_attempt_at, created_at, updated_at)
                    VALUES ('o', 'WHATSAPP', '+33612345678', 'TEXT', '{}', 'h', '%s', '%s', now(), now(), now())""";
            execute(ds, insert.formatted("QUEUED", "k1"));
            assertThatThrownBy(() -> execute(ds, insert.formatted("QUEUED", "k1")))
                    .hasMessageContaining("outbound_message_org_idempotency_key");
            assertThatThrownBy(() -> execute(ds, insert.formatted("LOST", "k2")))
                    .hasMessageContaining("outbound_message_status_known");
            assertThatThrownBy(() -> execute(ds, insert.formatted("SENDING", "k3")))
                    .hasMessageContaining("outbound_message_sending_has_lease");
            assertThatThrownBy(() -> execute(ds, insert.formatted("SENT", "k4")))
                    .hasMessageContaining("outbound_message_sent_has_provider_id");
            execute(ds, "UPDATE outbound_message SET provider_message_id = 'wamid.1'");
            execute(ds, insert.formatted("QUEUED", "k5"));
            assertThatThrownBy(() -> execute(ds, "UPDATE outbound_message SET provider_message_id = 'wamid.1' WHERE idempotency_key = 'k5'"))
                    .hasMessageContaining("outbound_message_provider_message_id");
        }
    }

    @Test
    void theConsentKeyCarriesTheStatusSoThatTheClaimReadsItFromTheIndex() throws Exception {
        try (HikariDataSource ds = TestDatabase.newMigratedDatabase()) {
            assertThat(count(ds, """
                    SELECT count(*) FROM pg_index i
                     WHERE i.indrelid = 'consentement'::regclass AND i.indisprimary
                       AND i.indnkeyatts = 4 AND i.indnatts = 5
                       AND (SELECT attname FROM pg_attribute
                             WHERE attrelid = i.indrelid AND attnum = i.indkey[4]) = 'status'""")).isEqualTo(1);
            execute(ds, "INSERT INTO consentement (org_id, phone_number, channel, status, created_at, updated_at)"
                    + " VALUES ('o', '+33612345678', 'WHATSAPP', 'GRANTED', now(), now())");
            assertThatThrownBy(() -> execute(ds, "INSERT INTO consentement (org_id, phone_number, channel, status,"
                    + " created_at, updated_at) VALUES ('o', '+33612345678', 'WHATSAPP', 'REVOKED', now(), now())"))
                    .hasMessageContaining("consentement_pkey");
        }
    }

    @Test
    void aConsentRecordedBeforePurposesKeepsWorkingForBothPurposes() throws Exception {
        try (HikariDataSource ds = TestDatabase.newEmptyDatabase(2)) {
            // the schema as it was before V5, with history, and a grant and a revocation in it
            execute(ds, """
                    CREATE TABLE outbox_schema_history (version integer PRIMARY KEY, script text NOT NULL,
                        checksum text NOT NULL, applied_at timestamptz NOT NULL, applied_by text NOT NULL)""");
            for (String script : OutboxMigrator.SCRIPTS) {
                int version = OutboxMigrator.version(script);
                if (version >= 5) {
                    continue;
                }
                String text = OutboxMigrator.read(script);
                execute(ds, text);
                String checksum = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                execute(ds, "INSERT INTO outbox_schema_history VALUES (" + version + ", '" + script + "', '" + checksum
                        + "', now(), 'test')");
            }
            execute(ds, "INSERT INTO consentement (org_id, phone_number, channel, status, source, created_at, updated_at)"
                    + " VALUES ('o', '+33612345678', 'WHATSAPP', 'GRANTED', 'form', now(), now()),"
                    + " ('o', '+33612345679', 'SMS', 'REVOKED', 'STOP', now(), now())");
            execute(ds, "INSERT INTO outbound_message (org_id, channel, to_recipient, content_type, payload_json,"
                    + " content_hash, status, idempotency_key, next_attempt_at, created_at, updated_at)"
                    + " VALUES ('o', 'WHATSAPP', '+33612345678', 'TEXT', '{}', 'h', 'QUEUED', 'k', now(), now(), now())");

            assertThat(OutboxMigrator.migrate(ds)).containsExactlyElementsOf(allVersions().stream().filter(v -> v >= 5).toList());

            Consents consents = JdbcOutbox.builder().dataSource(ds).build().consents();
            io.whatsappoutbox.core.PhoneNumber granted = io.whatsappoutbox.core.PhoneNumber.of("+33612345678");
            io.whatsappoutbox.core.PhoneNumber revoked = io.whatsappoutbox.core.PhoneNumber.of("+33612345679");
            for (io.whatsappoutbox.core.ConsentPurpose p : io.whatsappoutbox.core.ConsentPurpose.values()) {
                assertThat(consents.status("o", granted, io.whatsappoutbox.core.Channel.WHATSAPP, p))
                        .isEqualTo(io.whatsappoutbox.core.ConsentStatus.GRANTED);
                assertThat(consents.status("o", revoked, io.whatsappoutbox.core.Channel.SMS, p))
                        .isEqualTo(io.whatsappoutbox.core.ConsentStatus.REVOKED);
            }
            assertThat(count(ds, "SELECT count(*) FROM outbound_message WHERE consent_purpose = 'TRANSACTIONAL'"))
                    .isEqualTo(1);
            assertThatThrownBy(() -> execute(ds, "UPDATE outbound_message SET consent_purpose = 'OFFERS'"))
                    .hasMessageContaining("outbound_message_consent_purpose_known");
        }
    }

    static List<Integer> allVersions() {
        return OutboxMigrator.SCRIPTS.stream().map(OutboxMigrator::version).toList();
    }

    static long count(HikariDataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void execute(HikariDataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}

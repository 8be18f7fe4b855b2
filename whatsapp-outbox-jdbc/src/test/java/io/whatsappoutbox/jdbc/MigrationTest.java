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
            assertThat(OutboxMigrator.migrate(ds)).containsExactly(1, 2, 3, 6);
            assertThat(OutboxMigrator.migrate(ds)).isEmpty();
            assertThat(count(ds, "SELECT count(*) FROM outbox_schema_history")).isEqualTo(4);
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
            assertThat(applied).containsExactly(1, 2, 3, 6);
            assertThat(count(ds, "SELECT count(*) FROM outbox_schema_history")).isEqualTo(4);
        }
    }

    @Test
    void refusesASchemaNewerThanItKnows() throws Exception {
        try (HikariDataSource ds = TestDatabase.newMigratedDatabase()) {
            execute(ds, "INSERT INTO outbox_schema_history VALUES (99, 'V99__future.sql', 'x', now(), 'test')");
            assertThatThrownBy(() -> OutboxMigrator.migrate(ds))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("version 99, newer than this library knows (6)");
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
        Arrays.sort(files);
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
                       AND i.indnkeyatts = 3 AND i.indnatts = 4
                       AND (SELECT attname FROM pg_attribute
                             WHERE attrelid = i.indrelid AND attnum = i.indkey[3]) = 'status'""")).isEqualTo(1);
            execute(ds, "INSERT INTO consentement (org_id, phone_number, channel, status, created_at, updated_at)"
                    + " VALUES ('o', '+33612345678', 'WHATSAPP', 'GRANTED', now(), now())");
            assertThatThrownBy(() -> execute(ds, "INSERT INTO consentement (org_id, phone_number, channel, status,"
                    + " created_at, updated_at) VALUES ('o', '+33612345678', 'WHATSAPP', 'REVOKED', now(), now())"))
                    .hasMessageContaining("consentement_pkey");
        }
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

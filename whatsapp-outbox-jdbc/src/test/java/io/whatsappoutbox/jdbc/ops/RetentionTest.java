package io.whatsappoutbox.jdbc.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.jdbc.internal.JdbcOperations;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention on PostgreSQL: exactly the settled history the policy names, never a message in flight. */
class RetentionTest {
    static final Instant NOW = Instant.parse("2026-12-02T09:00:00Z");
    static final Instant OLD = NOW.minus(Duration.ofDays(120));
    static final Operator OPS = Operator.of("alice", "retention");
    final MutableClock clock = new MutableClock(NOW);
    HikariDataSource ds;
    JdbcOutbox outbox;
    Sql sql;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.of("k1", new byte[32])).clock(clock)
                .build();
        sql = new Sql(ds);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    /** A message of {@code org} in {@code status}, last changed at {@code at}, with one attempt. */
    long message(String org, int n, String status, Instant at) {
        long id = outbox.enqueue(Requests.template(org, n)).message().id();
        boolean accepted = status.equals("DELIVERED") || status.equals("READ") || status.equals("SENT");
        sql.update("UPDATE outbound_message SET status = ?, updated_at = ?::timestamptz, created_at = ?::timestamptz,"
                + " provider_message_id = ?, sent_at = CASE WHEN ? THEN ?::timestamptz END,"
                + " failed_at = CASE WHEN ? = 'FAILED' THEN ?::timestamptz END, error_code = CASE WHEN ? = 'FAILED' THEN '131026' END,"
                + " locked_by = CASE WHEN ? = 'SENDING' THEN 'node-a:1' END,"
                + " locked_until = CASE WHEN ? = 'SENDING' THEN ?::timestamptz + interval '1 minute' END WHERE id = ?",
                status, at.toString(), at.toString(), accepted ? "wamid.r" + id : null, accepted, at.toString(), status,
                at.toString(), status, status, status, at.toString(), id);
        sql.update("INSERT INTO outbound_attempt (message_id, org_id, attempt_number, provider, outcome, started_at,"
                + " duration_ms) VALUES (?, ?, 1, 'meta', 'SENT', ?::timestamptz, 10)", id, org, at.toString());
        return id;
    }

    long count(String where) {
        return sql.count("SELECT count(*) FROM outbound_message WHERE " + where);
    }

    @Test
    void deletesExactlyTheOldSettledMessagesOfTheOrgWithTheirAttemptsAndNeverOneInFlight() {
        for (int i = 0; i < 3; i++) {
            message("org-1", i, "DELIVERED", OLD);
        }
        message("org-1", 10, "CANCELLED", OLD);
        long young = message("org-1", 11, "READ", NOW.minus(Duration.ofDays(10)));
        long queued = message("org-1", 12, "QUEUED", OLD);
        long sending = message("org-1", 13, "SENDING", OLD);
        long deadLetter = message("org-1", 14, "FAILED", OLD);
        long otherOrg = message("org-2", 15, "DELIVERED", OLD);

        RetentionResult dry = outbox.operations().runRetention(Scope.org("org-1"), RetentionPolicy.defaults(), OPS, true);
        assertThat(dry.settledMessages()).isEqualTo(4);
        assertThat(dry.attempts()).isEqualTo(4);
        assertThat(count("org_id = 'org-1'")).isEqualTo(8);

        RetentionResult run = outbox.operations().runRetention(Scope.org("org-1"), RetentionPolicy.defaults(), OPS, false);
        assertThat(run.settledMessages()).isEqualTo(dry.settledMessages());
        assertThat(run.attempts()).isEqualTo(dry.attempts());
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE id IN (?, ?, ?, ?, ?)", young, queued, sending,
                deadLetter, otherOrg)).isEqualTo(5);
        assertThat(count("org_id = 'org-1'")).isEqualTo(4);
        assertThat(sql.count("SELECT count(*) FROM outbound_attempt a WHERE NOT EXISTS"
                + " (SELECT 1 FROM outbound_message m WHERE m.id = a.message_id)")).isZero();
        assertThat(sql.count("SELECT count(*) FROM outbound_attempt")).isEqualTo(5);
        assertThat(sql.count("SELECT count(*) FROM outbox_audit WHERE action = 'RUN_RETENTION' AND org_scope = 'org-1'"))
                .isEqualTo(2);
    }

    @Test
    void manyBatchesAndAllOrgsAndTheAuditAndInboundTables() {
        for (int i = 0; i < 2_100; i++) {
            sql.update("INSERT INTO message (org_id, channel, from_recipient, provider_message_id, message_type,"
                    + " received_at, created_at) VALUES (?, 'WHATSAPP', '+33600000000', ?, 'text', ?::timestamptz,"
                    + " ?::timestamptz)", i % 2 == 0 ? "org-1" : "org-2", "wamid." + i, OLD.toString(), OLD.toString());
        }
        sql.update("INSERT INTO message (org_id, channel, from_recipient, provider_message_id, message_type, received_at,"
                + " created_at) VALUES ('org-1', 'WHATSAPP', '+33600000000', 'wamid.new', 'text', now(), now())");
        sql.update("INSERT INTO outbox_audit (operation_id, action, operator, reason, org_scope, dry_run, affected_count,"
                + " created_at) VALUES (gen_random_uuid(), 'SET_QUOTA', 'bob', 'x', 'org-1', false, 1, ?::timestamptz)",
                NOW.minus(Duration.ofDays(400)).toString());

        RetentionResult run = outbox.operations().runRetention(Scope.allOrgs(), RetentionPolicy.defaults(), OPS, false);
        assertThat(run.inboundMessages()).isEqualTo(2_100);
        assertThat(run.auditRows()).isEqualTo(1);
        assertThat(sql.count("SELECT count(*) FROM message")).isEqualTo(1);
        assertThat(sql.count("SELECT count(*) FROM outbox_audit WHERE action = 'RUN_RETENTION'")).isEqualTo(1);
    }

    @Test
    void aPolicyThatWouldDeleteWhatReceiptsStillNeedIsRefusedNamingTheField() {
        assertThatThrownBy(() -> RetentionPolicy.defaults().withSettledMessages(Duration.ofDays(2)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("settledMessages");
        assertThatThrownBy(() -> RetentionPolicy.defaults().withAuditLog(Duration.ofDays(7)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("auditLog");
        RetentionPolicy keepAll = new RetentionPolicy(null, null, null);
        long id = message("org-1", 1, "DELIVERED", OLD);
        assertThat(outbox.operations().runRetention(Scope.allOrgs(), keepAll, OPS, false).settledMessages()).isZero();
        assertThat(outbox.find("org-1", id)).isPresent();
    }

    @Test
    void archivingFirstWritesEachBatchToACheckedFileThatHoldsExactlyTheRowsDeleted(@TempDir Path dir) throws Exception {
        List<Long> doomed = new ArrayList<>();
        for (int i = 0; i < 1_000 + 5; i++) {
            doomed.add(message("org-1", i, i % 2 == 0 ? "DELIVERED" : "CANCELLED", OLD));
        }
        long inFlight = message("org-1", 5_000, "SENDING", OLD);
        long young = message("org-1", 5_001, "READ", NOW.minus(Duration.ofDays(3)));
        sql.update("INSERT INTO message (org_id, channel, from_recipient, provider_message_id, message_type,"
                + " received_at, created_at) VALUES ('org-1', 'WHATSAPP', '+33600000000', 'wamid.in', 'text',"
                + " ?::timestamptz, ?::timestamptz)", OLD.toString(), OLD.toString());

        RetentionResult run = outbox.operations().runRetention(Scope.org("org-1"), RetentionPolicy.defaults(), OPS,
                false, dir);

        assertThat(run.settledMessages()).isEqualTo(doomed.size());
        assertThat(run.inboundMessages()).isEqualTo(1);
        assertThat(run.archiveFiles()).hasSize(3).allSatisfy(f -> assertThat(Path.of(f)).isRegularFile()
                .satisfies(p -> assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                        .isEqualTo("rw-------")));
        ObjectMapper json = new ObjectMapper();
        List<Long> archived = new ArrayList<>();
        long attempts = 0;
        for (String f : run.archiveFiles().subList(0, 2)) {
            for (String line : Files.readAllLines(Path.of(f))) {
                JsonNode node = json.readTree(line);
                archived.add(node.get("id").asLong());
                attempts += node.get("attempts").size();
                assertThat(node.get("payload_json").isObject()).isTrue();
            }
        }
        assertThat(archived).containsExactlyElementsOf(doomed);
        assertThat(attempts).isEqualTo(run.attempts()).isEqualTo(doomed.size());
        JsonNode inbound = json.readTree(Files.readAllLines(Path.of(run.archiveFiles().get(2))).get(0));
        assertThat(inbound.get("provider_message_id").asText()).isEqualTo("wamid.in");
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(2);
        assertThat(outbox.find("org-1", inFlight)).isPresent();
        assertThat(outbox.find("org-1", young)).isPresent();
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThat(sql.one("SELECT details_json->>'archiveFiles' FROM outbox_audit WHERE action = 'RUN_RETENTION'")
                .toString()).contains(run.archiveFiles().get(0));
    }

    @Test
    void aBatchWhoseFileCannotBeWrittenDeletesNothingOfItLeavesNoFileAndTheRunIsStillAudited(@TempDir Path dir)
            throws IOException {
        for (int i = 0; i < 1_000 + 5; i++) {
            message("org-1", i, "DELIVERED", OLD);
        }
        int[] opened = {0};
        // the first batch's file is written whole; the second's fails after a few bytes
        JdbcOperations failingSecond = new JdbcOperations(outbox.jdbi(), clock, outbox.providerConfigs(), d -> {},
                out -> ++opened[0] < 2 ? out : new FilterOutputStream(out) {
                    int written;

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        written += len;
                        if (written > 200) {
                            throw new IOException("disk full");
                        }
                        super.write(b, off, len);
                    }
                });

        assertThatThrownBy(() -> failingSecond.runRetention(Scope.org("org-1"), RetentionPolicy.defaults(), OPS, false,
                dir)).isInstanceOf(ArchiveFailedException.class).hasMessageContaining("disk full")
                .hasMessageContaining("nothing of this batch was deleted");

        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(5);
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).singleElement()
                    .satisfies(n -> assertThat(n).endsWith("-outbound_message-0001.jsonl"));
        }
        Map<String, Object> audit = sql.rows("SELECT affected_count, details_json::text AS details FROM outbox_audit"
                + " WHERE action = 'RUN_RETENTION'").get(0);
        assertThat(((Number) audit.get("affected_count")).longValue()).isEqualTo(1_000);
        assertThat(audit.get("details").toString()).contains("disk full");
    }

    @Test
    void anArchiveDirectoryThatDoesNotExistIsRefusedNamingTheField(@TempDir Path dir) {
        long id = message("org-1", 1, "DELIVERED", OLD);
        assertThatThrownBy(() -> outbox.operations().runRetention(Scope.org("org-1"), RetentionPolicy.defaults(), OPS,
                false, dir.resolve("missing"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("archiveDirectory");
        assertThat(outbox.find("org-1", id)).isPresent();
    }
}

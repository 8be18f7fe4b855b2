package io.whatsappoutbox.jdbc.ops;

import static io.whatsappoutbox.jdbc.ops.OpsFixture.OPERATOR;
import static io.whatsappoutbox.jdbc.ops.OpsFixture.ago;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.jdbc.ops.ArchiveFailedException;
import io.whatsappoutbox.jdbc.ops.ArchiveFormat;
import io.whatsappoutbox.jdbc.ops.ArchiveResult;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.ExportRequest;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterArchiveTest {
    final OpsFixture f = new OpsFixture();
    final OutboxOperations ops = f.ops();
    final List<Long> old = new ArrayList<>();
    long recent;
    long otherOrg;
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        for (int i = 0; i < 3; i++) {
            old.add(f.seed.failed("org-1", Channel.WHATSAPP, "132001", ErrorCategory.TEMPLATE, ago(Duration.ofDays(50 - i)),
                    ago(Duration.ofDays(40 - i))));
        }
        // a message text with what CSV must quote
        f.sql.update("UPDATE outbound_message SET error_message = ? WHERE id = ?", "bad \"param\", line\nbreak", old.get(1));
        recent = f.seed.failed("org-1", Channel.WHATSAPP, "132001", ErrorCategory.TEMPLATE, ago(Duration.ofDays(3)),
                ago(Duration.ofDays(2)));
        otherOrg = f.seed.failed("org-2", Channel.WHATSAPP, "132001", ErrorCategory.TEMPLATE, ago(Duration.ofDays(50)),
                ago(Duration.ofDays(40)));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    ExportRequest olderThan30Days(Path file, ArchiveFormat format) {
        return ExportRequest.of(file, format, DeadLetterFilter.all().withMinAge(Duration.ofDays(30)));
    }

    long messages() {
        return f.sql.count("SELECT count(*) FROM outbound_message");
    }

    @Test
    void archivingWritesACheckedCsvAndDeletesExactlyTheRowsItWrote() throws Exception {
        Path file = dir.resolve("dlq.csv");
        ArchiveResult r = ops.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(file, ArchiveFormat.CSV), OPERATOR);

        assertThat(r.messageIds()).containsExactlyElementsOf(old);
        assertThat(r.deleted()).isEqualTo(3);
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message WHERE id = ANY(?)", (Object) old.toArray(Long[]::new)))
                .isZero();
        assertThat(f.sql.count("SELECT count(*) FROM outbound_attempt WHERE message_id = ANY(?)",
                (Object) old.toArray(Long[]::new))).isZero();
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message WHERE id IN (?, ?)", recent, otherOrg)).isEqualTo(2);
        String csv = Files.readString(file);
        assertThat(csv).startsWith("id,org_id,dossier_id,channel,");
        assertThat(csv).contains("\"bad \"\"param\"\", line\nbreak\"");
        assertThat(csv.split("\r\n")).hasSize(4);
        assertThat(r.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file))));
        assertThat(f.sql.rows("SELECT action, affected_count, details_json->>'sha256' AS sha FROM outbox_audit").get(0))
                .containsEntry("action", "ARCHIVE_DEAD_LETTERS").containsEntry("affected_count", 3)
                .containsEntry("sha", r.sha256());
        try (var listing = Files.list(dir)) {
            // the attempts beside the messages, no temporary file left behind
            assertThat(listing).containsExactlyInAnyOrder(file, dir.resolve("dlq.attempts.csv"));
        }
    }

    @Test
    void aCsvArchiveWritesTheAttemptsItDeletesToASecondCheckedFile() throws Exception {
        Path file = dir.resolve("dlq-2026-11.csv");
        ArchiveResult r = ops.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(file, ArchiveFormat.CSV), OPERATOR);

        Path attempts = dir.resolve("dlq-2026-11.attempts.csv");
        assertThat(r.attemptsFile()).isEqualTo(attempts.toString());
        List<String> lines = List.of(Files.readString(attempts).split("\r\n"));
        assertThat(lines.get(0)).isEqualTo("id,message_id,org_id,attempt_number,provider,outcome,error_code,error_message,"
                + "error_category,http_status,provider_message_id,lease_owner,started_at,duration_ms,next_attempt_at,"
                + "pricing_category,pricing_model,billable,conversation_id,conversation_origin");
        assertThat(lines).hasSize(1 + 15);
        assertThat(lines.subList(1, 16)).allSatisfy(l -> assertThat(old).contains(Long.parseLong(l.split(",")[1])));
        assertThat(r.attemptsExported()).isEqualTo(15);
        assertThat(r.attemptsSha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(attempts))));
        assertThat(f.sql.count("SELECT count(*) FROM outbound_attempt")).isEqualTo(10);
        assertThat(f.sql.rows("SELECT details_json->>'attempts' AS n, details_json->>'attemptsSha256' AS sha"
                + " FROM outbox_audit").get(0)).containsEntry("n", "15").containsEntry("sha", r.attemptsSha256());
    }

    @Test
    void anExistingAttemptsFileIsNeverOverwritten() throws Exception {
        Path existing = Files.writeString(dir.resolve("dlq.attempts.csv"), "an earlier archive");
        assertThatThrownBy(() -> ops.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(dir.resolve("dlq.csv"),
                ArchiveFormat.CSV), OPERATOR))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("never overwritten");
        assertThat(Files.readString(existing)).isEqualTo("an earlier archive");
        assertThat(messages()).isEqualTo(5);
    }

    @Test
    void archivesAndExportsAreReadableByTheirOwnerOnly() throws Exception {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> ownerOnly =
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        ops.exportDeadLetters(Scope.org("org-1"), ExportRequest.of(dir.resolve("e.csv"), ArchiveFormat.CSV,
                DeadLetterFilter.all()), OPERATOR);
        ops.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(dir.resolve("a.jsonl"), ArchiveFormat.JSONL), OPERATOR);
        for (String name : List.of("e.csv", "e.attempts.csv", "a.jsonl")) {
            assertThat(Files.getPosixFilePermissions(dir.resolve(name))).as(name).isEqualTo(ownerOnly);
        }
    }

    @Test
    void aJsonLinesArchiveCarriesEachMessageWithItsAttempts() throws Exception {
        Path file = dir.resolve("dlq.jsonl");
        ArchiveResult r = ops.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(file, ArchiveFormat.JSONL), OPERATOR);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("id").asLong()).isEqualTo(old.get(0));
        assertThat(first.get("to_recipient").asText()).startsWith("+336");
        assertThat(first.get("payload_json").isObject()).isTrue();
        assertThat(first.get("failed_at").asText()).endsWith("Z");
        assertThat(first.get("attempts")).hasSize(5);
        assertThat(first.get("attempts").get(4).get("outcome").asText()).isEqualTo("DEAD_LETTER");
        assertThat(r.attemptsExported()).isEqualTo(15);
    }

    @Test
    void anArchiveCarriesEveryColumnOfBothTablesSoItLoadsBackWithNothingLost() throws Exception {
        Path file = dir.resolve("dlq.jsonl");
        ops.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(file, ArchiveFormat.JSONL), OPERATOR);
        JsonNode first = new ObjectMapper().readTree(Files.readAllLines(file, StandardCharsets.UTF_8).get(0));
        List<String> keys = new ArrayList<>();
        first.fieldNames().forEachRemaining(keys::add);
        List<String> attemptKeys = new ArrayList<>();
        first.get("attempts").get(0).fieldNames().forEachRemaining(attemptKeys::add);

        assertThat(keys).containsExactlyElementsOf(columns("outbound_message")).hasSizeGreaterThan(30);
        assertThat(attemptKeys).containsExactlyElementsOf(columns("outbound_attempt"));
    }

    List<String> columns(String table) {
        List<String> names = new ArrayList<>();
        f.sql.rows("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                + " AND table_name = ? ORDER BY ordinal_position", table).forEach(r -> names.add((String) r.get("column_name")));
        if (table.equals("outbound_message")) {
            names.add("attempts");
        }
        return names;
    }

    @Test
    void aDryRunSelectsTheSameRowsAndWritesNothing() {
        Path file = dir.resolve("dlq.csv");
        ArchiveResult dry = ops.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(file, ArchiveFormat.CSV)
                .withDryRun(true), OPERATOR);
        assertThat(dry.messageIds()).containsExactlyElementsOf(old);
        assertThat(dry.deleted()).isZero();
        assertThat(file).doesNotExist();
        assertThat(messages()).isEqualTo(5);
        ArchiveResult real = ops.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(file, ArchiveFormat.CSV), OPERATOR);
        assertThat(real.messageIds()).isEqualTo(dry.messageIds());
    }

    /** Fails after {@code limit} bytes: a disk that fills up, a network mount that goes away. */
    static final class FailingAfter extends FilterOutputStream {
        private int left;

        FailingAfter(OutputStream out, int limit) {
            super(out);
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (--left < 0) {
                throw new IOException("No space left on device");
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }
    }

    @Test
    void aWriterThatFailsMidwayDeletesNothingAndLeavesNoFile() throws Exception {
        Path file = dir.resolve("dlq.jsonl");
        OutboxOperations failing = f.ops(out -> new FailingAfter(out, 700));
        assertThatThrownBy(() -> failing.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(file, ArchiveFormat.JSONL)
                .withLimit(3), OPERATOR))
                .isInstanceOf(ArchiveFailedException.class).hasMessageContaining("nothing was deleted");
        assertThat(messages()).isEqualTo(5);
        assertThat(f.sql.count("SELECT count(*) FROM outbound_attempt")).isEqualTo(25);
        assertThat(f.sql.count("SELECT count(*) FROM outbox_audit")).isZero();
        try (var listing = Files.list(dir)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void aFileThatDoesNotHoldEveryRowAbortsTheArchive() {
        Path file = dir.resolve("dlq.jsonl");
        // drops the second line: the file reads back with one message missing
        OutboxOperations lossy = f.ops(out -> new FilterOutputStream(out) {
            int newlines;

            @Override
            public void write(int b) throws IOException {
                if (newlines != 1) {
                    out.write(b);
                }
                if (b == '\n') {
                    newlines++;
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(b[off + i]);
                }
            }
        });
        assertThatThrownBy(() -> lossy.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(file, ArchiveFormat.JSONL),
                OPERATOR))
                .isInstanceOf(ArchiveFailedException.class).hasMessageContaining("Row count check failed");
        assertThat(messages()).isEqualTo(5);
        assertThat(file).doesNotExist();
    }

    @Test
    void anUnwritableOrExistingPathIsRefusedBeforeAnythingIsSelected() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        assertThatThrownBy(() -> ops.archiveDeadLetters(Scope.org("org-1"),
                olderThan30Days(notADirectory.resolve("dlq.csv"), ArchiveFormat.CSV), OPERATOR))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("existing directory");
        Path existing = Files.writeString(dir.resolve("dlq.csv"), "an earlier archive");
        assertThatThrownBy(() -> ops.archiveDeadLetters(Scope.org("org-1"), olderThan30Days(existing, ArchiveFormat.CSV),
                OPERATOR))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("never overwritten");
        assertThat(Files.readString(existing)).isEqualTo("an earlier archive");
        assertThat(messages()).isEqualTo(5);
    }

    @Test
    void aFileThatCannotBeOpenedForWritingDeletesNothing() throws Exception {
        Path locked = Files.createDirectory(dir.resolve("locked"));
        // the stream fails as soon as it is opened, as on a read-only mount
        OutboxOperations refusing = f.ops(out -> {
            throw new java.io.UncheckedIOException(new IOException("Read-only file system"));
        });
        assertThatThrownBy(() -> refusing.archiveDeadLetters(Scope.org("org-1"),
                olderThan30Days(locked.resolve("dlq.csv"), ArchiveFormat.CSV), OPERATOR))
                .isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(messages()).isEqualTo(5);
        assertThat(locked.resolve("dlq.csv")).doesNotExist();
    }

    @Test
    void anArchiveTakesOnlyDeadLettersOlderThanADay() {
        assertThatThrownBy(() -> ops.archiveDeadLetters(Scope.org("org-1"), ExportRequest.of(dir.resolve("a.csv"),
                ArchiveFormat.CSV, DeadLetterFilter.all()), OPERATOR))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("olderThan");
        assertThatThrownBy(() -> ops.archiveDeadLetters(Scope.org("org-1"), ExportRequest.of(dir.resolve("a.csv"),
                ArchiveFormat.CSV, DeadLetterFilter.all().withMinAge(Duration.ofHours(2))), OPERATOR))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void anExportWritesTheFileAndDeletesNothing() throws Exception {
        Path file = dir.resolve("export.csv");
        ArchiveResult r = ops.exportDeadLetters(Scope.org("org-1"), ExportRequest.of(file, ArchiveFormat.CSV,
                DeadLetterFilter.all()), OPERATOR);
        assertThat(r.messageIds()).containsExactly(old.get(0), old.get(1), old.get(2), recent);
        assertThat(r.deleted()).isZero();
        assertThat(messages()).isEqualTo(5);
        assertThat(Files.readString(file).split("\r\n")).hasSize(5);
        assertThat(r.attemptsExported()).isEqualTo(20);
        assertThat(f.sql.count("SELECT count(*) FROM outbound_attempt")).isEqualTo(25);
        assertThat(f.sql.one("SELECT action FROM outbox_audit")).isEqualTo("EXPORT_DEAD_LETTERS");
    }
}

package io.whatsappoutbox.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.jdbc.ops.ArchiveFormat;
import io.whatsappoutbox.jdbc.ops.AuditQuery;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.CancelFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterQuery;
import io.whatsappoutbox.jdbc.ops.ExportRequest;
import io.whatsappoutbox.jdbc.ops.FailureQuery;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.QueueStatusQuery;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.jdbc.testing.OpsSeed;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Org B calling every operation, look-up and bulk change with org A's message ids, operation ids,
 * keys and recipients: refused as not found, or finding nothing; org A's rows never change.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class TenantIsolationTest {
    static final String A = "org-alpha";
    static final String B = "org-beta";
    static final Operator OPERATOR = Operator.of("mallory", "INC-666 looking around");
    @TempDir
    Path dir;

    @Test
    void anotherOrgsIdsAreRefusedOrFindNothingAndChangeNothing() {
        try (HikariDataSource ds = TestDatabase.newMigratedDatabase();
                JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds)
                        .encryptionKeys(EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key())).build()) {
            Sql sql = new Sql(ds);
            OutboxOperations ops = outbox.operations();
            OpsSeed seed = new OpsSeed(outbox);
            Instant now = Instant.now();
            long dead = seed.failed(A, Channel.WHATSAPP, "131026", ErrorCategory.UNDELIVERABLE, now.minus(Duration.ofDays(5)),
                    now.minus(Duration.ofDays(4)));
            long queued = seed.queued(A, Channel.SMS, now.minus(Duration.ofHours(3)), now.minus(Duration.ofHours(3)));
            long stuck = seed.sending(A, Channel.WHATSAPP, now.minus(Duration.ofHours(1)), now.minus(Duration.ofMinutes(30)), 1);
            long sent = seed.accepted(A, Channel.WHATSAPP, "DELIVERED", now.minus(Duration.ofHours(2)), 900);
            seed.quota(A, 1000, 10, now.plus(Duration.ofHours(6)), null);
            outbox.providerConfigs().save(ProviderConfig.of(A, "100000000000071", Secret.of("EAAAlphaToken0001"),
                    Secret.of("app-secret-alpha")), "test");
            outbox.consents().grant(A, PhoneNumber.of("+33611110001"), Channel.WHATSAPP, "web", "test");
            UUID operationOfA = ops.retry(A, dead, Operator.of("alice", "INC-1 dry run"), true).operationId();
            String keyOfA = outbox.find(A, queued).orElseThrow().idempotencyKey();
            TableSnapshot orgA = TableSnapshot.ofOrg(sql, A);
            Scope b = Scope.org(B);
            int refused = 0;

            for (long id : new long[] {dead, queued, stuck, sent}) {
                assertThatThrownBy(() -> ops.retry(B, id, OPERATOR, false)).isInstanceOf(NoSuchElementException.class);
                assertThatThrownBy(() -> ops.cancel(B, id, OPERATOR, false)).isInstanceOf(NoSuchElementException.class);
                assertThat(outbox.find(B, id)).isEmpty();
                assertThat(outbox.attempts(B, id)).isEmpty();
                assertThat(outbox.findFallback(B, id)).isEmpty();
                refused += 5;
            }
            assertThatThrownBy(() -> ops.progress(b, operationOfA)).isInstanceOf(NoSuchElementException.class);
            assertThat(outbox.findByIdempotencyKey(B, keyOfA)).isEmpty();
            assertThat(ops.auditLog(b, AuditQuery.recent())).isEmpty();
            assertThat(ops.auditLog(b, AuditQuery.recent().withOperationId(operationOfA))).isEmpty();
            refused += 4;

            BulkOptions options = BulkOptions.defaults().withPause(Duration.ZERO);
            assertThat(ops.retryDeadLetters(b, DeadLetterFilter.all(), options, OPERATOR).selected()).isZero();
            assertThat(ops.cancelMessages(b, CancelFilter.queued().withStatuses(
                    io.whatsappoutbox.core.MessageStatus.QUEUED, io.whatsappoutbox.core.MessageStatus.FAILED), options,
                    OPERATOR).selected()).isZero();
            assertThat(ops.recoverStuckSending(b, null, options, OPERATOR).selected()).isZero();
            assertThat(ops.fallbackToSms(b, DeadLetterFilter.all(), FallbackRules.of(FallbackRule.forTemplates(
                    "appointment_reminder").onDeadLetter(ErrorCategory.UNDELIVERABLE).smsText(m -> "Rappel")), options,
                    OPERATOR).selected()).isZero();
            assertThat(ops.exportDeadLetters(b, ExportRequest.of(dir.resolve("b.csv"), ArchiveFormat.CSV,
                    DeadLetterFilter.all()), OPERATOR).messageIds()).isEmpty();
            assertThat(ops.archiveDeadLetters(b, ExportRequest.of(dir.resolve("b-archive.csv"), ArchiveFormat.CSV,
                    DeadLetterFilter.all().withMinAge(Duration.ofDays(1))), OPERATOR).deleted()).isZero();
            refused += 6;

            assertThat(ops.queueStatus(b, QueueStatusQuery.defaults()).queuedNow()).isZero();
            assertThat(ops.queueStatus(b, QueueStatusQuery.defaults()).stuckSending()).isZero();
            assertThat(ops.failureAnalysis(b, FailureQuery.defaults().withWindow(Duration.ofDays(30))).totalFailures())
                    .isZero();
            assertThat(ops.deadLetterReport(b, DeadLetterQuery.defaults()).size()).isZero();
            assertThat(ops.channelHealth(b, Duration.ofDays(1)).channelMetrics().values())
                    .allSatisfy(h -> assertThat(h.totalMessages()).isZero());
            assertThat(ops.quotas(b, 0)).isEmpty();
            assertThat(ops.providerConfigs(b)).isEmpty();
            assertThat(ops.configChanges(b, Duration.ofDays(7))).isEmpty();
            assertThatThrownBy(() -> ops.rotateWebhookSecret(Scope.org(B), Secret.of("6f1c0d0b5b2e4c8a9e7f3a1b2c4d6e8f"),
                    null, OPERATOR, false))
                    .isInstanceOf(NoSuchElementException.class);
            refused += 9;

            // B's own writes with A's key and A's recipient stay B's
            long bMessage = outbox.enqueue(OutboundMessageRequest.sms(B, "+33611110001").text("hi")
                    .idempotencyKey(keyOfA).build()).message().id();
            outbox.consents().revoke(B, PhoneNumber.of("+33611110001"), Channel.WHATSAPP, "web", "mallory");
            assertThat(bMessage).isNotIn(dead, queued, stuck, sent);
            assertThat(outbox.consents().status(A, PhoneNumber.of("+33611110001"), Channel.WHATSAPP).name())
                    .isEqualTo("GRANTED");

            assertThat(TableSnapshot.ofOrg(sql, A)).as("org A's rows after org B's calls").isEqualTo(orgA);
            assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE org_id = ? AND id IN (?, ?, ?, ?)", B, dead,
                    queued, stuck, sent)).isZero();
            Figures.of("tenant-isolation-api").put("callsWithAnotherOrgsIds", refused).put("refusedOrFoundNothing", refused)
                    .put("changesToTheOtherOrg", 0).write();
        }
    }
}

package io.whatsappoutbox.jdbc.ops;

import static io.whatsappoutbox.jdbc.ops.OpsFixture.OPERATOR;
import static io.whatsappoutbox.jdbc.ops.OpsFixture.T0;
import static io.whatsappoutbox.jdbc.ops.OpsFixture.ago;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.IllegalTransitionException;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.CancelFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.MessageChange;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetryAndCancelTest {
    final OpsFixture f = new OpsFixture();
    final OutboxOperations ops = f.ops();

    @AfterEach
    void stop() {
        f.close();
    }

    Map<String, Object> row(long id) {
        return f.sql.rows("SELECT status, attempt_count, deferral_count, next_attempt_at, error_code, error_message,"
                + " operation_id, updated_by FROM outbound_message WHERE id = ?", id).get(0);
    }

    @Test
    void retryingADeadLetterRequeuesItWithAFreshBudgetAndKeepsItsHistory() {
        long id = f.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofHours(30)),
                ago(Duration.ofHours(26)));

        MessageChange change = ops.retry("org-1", id, OPERATOR, false);

        assertThat(change.before()).isEqualTo(MessageStatus.FAILED);
        assertThat(change.after()).isEqualTo(MessageStatus.QUEUED);
        assertThat(row(id)).containsEntry("status", "QUEUED").containsEntry("attempt_count", 0)
                .containsEntry("deferral_count", 0).containsEntry("next_attempt_at", T0)
                .containsEntry("error_code", "131016").containsEntry("operation_id", change.operationId())
                .containsEntry("updated_by", "jdoe");
        assertThat(row(id).get("error_message").toString()).startsWith("error 131016");
        assertThat(f.sql.count("SELECT count(*) FROM outbound_attempt WHERE message_id = ?", id)).isEqualTo(5);
        assertThat(f.sql.rows("SELECT action, operator, reason, org_scope, dry_run, affected_count FROM outbox_audit"
                + " WHERE operation_id = ?", change.operationId()).get(0))
                .containsEntry("action", "RETRY_MESSAGE").containsEntry("operator", "jdoe")
                .containsEntry("reason", "INC-4312 Meta outage").containsEntry("org_scope", "org-1")
                .containsEntry("dry_run", false).containsEntry("affected_count", 1);
    }

    @Test
    void aDryRunRetryChangesNothingButIsAudited() {
        long id = f.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofHours(3)),
                ago(Duration.ofHours(2)));
        MessageChange change = ops.retry("org-1", id, OPERATOR, true);
        assertThat(change.dryRun()).isTrue();
        assertThat(change.after()).isEqualTo(MessageStatus.QUEUED);
        assertThat(row(id)).containsEntry("status", "FAILED").containsEntry("attempt_count", 5)
                .containsEntry("operation_id", null);
        assertThat(f.sql.count("SELECT count(*) FROM outbox_audit WHERE dry_run AND operation_id = ?",
                change.operationId())).isEqualTo(1);
    }

    @Test
    void anotherOrgsMessageIsNotFoundForRetryOrCancel() {
        long id = f.seed.failed("org-2", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofHours(3)),
                ago(Duration.ofHours(2)));
        assertThatThrownBy(() -> ops.retry("org-1", id, OPERATOR, false)).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("org-1");
        assertThatThrownBy(() -> ops.cancel("org-1", id, OPERATOR, false)).isInstanceOf(NoSuchElementException.class);
        assertThat(row(id)).containsEntry("status", "FAILED");
        assertThat(f.sql.count("SELECT count(*) FROM outbox_audit")).isZero();
    }

    @Test
    void theStateMachineRefusesToRetryAMessageThatIsNotADeadLetter() {
        long id = f.seed.accepted("org-1", Channel.WHATSAPP, "DELIVERED", ago(Duration.ofMinutes(5)), 900);
        assertThatThrownBy(() -> ops.retry("org-1", id, OPERATOR, false)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("DELIVERED");
        assertThatThrownBy(() -> ops.cancel("org-1", id, OPERATOR, true)).isInstanceOf(IllegalTransitionException.class);
        assertThat(row(id)).containsEntry("status", "DELIVERED");
    }

    /** The runbook's bulk retry of temporary errors after a 24-hour cooling period. */
    long[] seedOutage() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // matching: temporary codes, cooled down, within a week
            ids.add(f.seed.failed("org-1", Channel.WHATSAPP, i % 2 == 0 ? "131016" : "131000", ErrorCategory.TEMPORARY,
                    ago(Duration.ofHours(48 + i)), ago(Duration.ofHours(30 + i))));
        }
        f.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofHours(3)),
                ago(Duration.ofHours(2))); // still cooling
        f.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofDays(20)),
                ago(Duration.ofDays(10))); // too old
        f.seed.failed("org-1", Channel.WHATSAPP, "131026", ErrorCategory.UNDELIVERABLE, ago(Duration.ofHours(50)),
                ago(Duration.ofHours(40))); // another code
        f.seed.failed("org-1", Channel.SMS, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofHours(50)),
                ago(Duration.ofHours(40))); // another channel
        f.seed.failed("org-2", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofHours(50)),
                ago(Duration.ofHours(40))); // another org
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    DeadLetterFilter outageFilter() {
        return DeadLetterFilter.all().withChannel(Channel.WHATSAPP).withErrorCodes("131016", "131000")
                .withMinAge(Duration.ofHours(24)).withMaxAge(Duration.ofDays(7));
    }

    @Test
    void aBulkRetryDryRunListsExactlyTheMessagesTheRealRunTouches() {
        long[] matching = seedOutage();
        BulkOptions options = BulkOptions.defaults().withLimit(5).withBatchSize(2).withPause(Duration.ofSeconds(2));
        Map<String, Long> before = f.sql.statusCounts();

        BulkResult dry = ops.retryDeadLetters(Scope.org("org-1"), outageFilter(), options.withDryRun(true), OPERATOR);
        assertThat(f.sql.statusCounts()).isEqualTo(before);
        assertThat(dry.changed()).isZero();
        assertThat(dry.resultingStatuses()).containsEntry(MessageStatus.QUEUED, 5);

        List<int[]> progress = new ArrayList<>();
        BulkResult real = ops.retryDeadLetters(Scope.org("org-1"), outageFilter(),
                options.withProgress((done, total) -> progress.add(new int[] {done, total})), OPERATOR);

        assertThat(real.messageIds()).isEqualTo(dry.messageIds()).hasSize(5);
        // oldest dead letters first: the seeds failed 35h, 34h, ... 30h ago
        assertThat(real.messageIds()).containsExactly(matching[5], matching[4], matching[3], matching[2], matching[1]);
        assertThat(real.changed()).isEqualTo(5);
        assertThat(real.skipped()).isZero();
        assertThat(real.batches()).isEqualTo(3);
        assertThat(f.pauses).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
        assertThat(progress).extracting(p -> p[0] + "/" + p[1]).containsExactly("2/5", "4/5", "5/5");
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message WHERE operation_id = ? AND status = 'QUEUED'"
                + " AND attempt_count = 0 AND error_code IS NOT NULL", real.operationId())).isEqualTo(5);
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message WHERE status = 'FAILED'")).isEqualTo(6);
        assertThat(f.sql.rows("SELECT affected_count, dry_run, filter_json::text AS filter FROM outbox_audit"
                + " WHERE operation_id = ?", real.operationId()).get(0))
                .containsEntry("affected_count", 5).containsEntry("dry_run", false);
    }

    @Test
    void aBulkRetryByCategoryTakesEveryTemporaryFailureOfTheOrg() {
        seedOutage();
        BulkResult r = ops.retryDeadLetters(Scope.org("org-1"),
                DeadLetterFilter.all().withCategories(ErrorCategory.TEMPORARY), BulkOptions.defaults(), OPERATOR);
        assertThat(r.changed()).isEqualTo(9); // 6 + cooling + old + SMS; not the undeliverable, not org-2
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message WHERE status = 'FAILED' AND org_id = 'org-2'"))
                .isEqualTo(1);
    }

    @Test
    void aMessageThatMovesOnBeforeItsBatchIsLeftAloneAndCountedAsSkipped() {
        long[] matching = seedOutage();
        OutboxOperations paced = f.ops();
        // between the batches, an operator cancels a message of the second batch
        f.pauses.clear();
        BulkOptions options = BulkOptions.defaults().withLimit(6).withBatchSize(3).withPause(Duration.ofMillis(1))
                .withProgress((done, total) -> {
                    if (done == 3) {
                        f.sql.update("UPDATE outbound_message SET status = 'CANCELLED' WHERE id = ?", matching[0]);
                    }
                });
        BulkResult r = paced.retryDeadLetters(Scope.org("org-1"), outageFilter(), options, OPERATOR);
        assertThat(r.selected()).isEqualTo(6);
        assertThat(r.changed()).isEqualTo(5);
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(row(matching[0])).containsEntry("status", "CANCELLED").containsEntry("operation_id", null);
    }

    @Test
    void cancellingByFilterWithdrawsQueuedMessagesAndLeavesTheRest() {
        long old1 = f.seed.queued("org-1", Channel.WHATSAPP, ago(Duration.ofHours(5)), ago(Duration.ofHours(5)));
        long old2 = f.seed.queued("org-1", Channel.WHATSAPP, ago(Duration.ofHours(4)), ago(Duration.ofHours(4)));
        long fresh = f.seed.queued("org-1", Channel.WHATSAPP, ago(Duration.ofMinutes(5)), ago(Duration.ofMinutes(5)));
        long sms = f.seed.queued("org-1", Channel.SMS, ago(Duration.ofHours(5)), ago(Duration.ofHours(5)));
        long dead = f.seed.failed("org-1", Channel.WHATSAPP, "132001", ErrorCategory.TEMPLATE, ago(Duration.ofHours(6)),
                ago(Duration.ofHours(5)));
        long other = f.seed.queued("org-2", Channel.WHATSAPP, ago(Duration.ofHours(5)), ago(Duration.ofHours(5)));
        CancelFilter filter = CancelFilter.queued().withChannel(Channel.WHATSAPP).withMinAge(Duration.ofHours(1));

        BulkResult dry = ops.cancelMessages(Scope.org("org-1"), filter, BulkOptions.defaults().withDryRun(true), OPERATOR);
        BulkResult real = ops.cancelMessages(Scope.org("org-1"), filter, BulkOptions.defaults(), OPERATOR);

        assertThat(real.messageIds()).isEqualTo(dry.messageIds()).containsExactly(old1, old2);
        assertThat(real.resultingStatuses()).containsEntry(MessageStatus.CANCELLED, 2);
        for (long id : new long[] {fresh, sms, other}) {
            assertThat(row(id)).containsEntry("status", "QUEUED");
        }
        assertThat(row(dead)).containsEntry("status", "FAILED");

        BulkResult templates = ops.cancelMessages(Scope.org("org-1"), CancelFilter.queued()
                .withStatuses(MessageStatus.FAILED).withCategories(List.of(ErrorCategory.TEMPLATE)),
                BulkOptions.defaults(), OPERATOR);
        assertThat(templates.messageIds()).containsExactly(dead);
        assertThat(row(dead)).containsEntry("status", "CANCELLED").containsEntry("error_code", "132001");
    }

    @Test
    void recoveringStuckSendingRequeuesExpiredLeasesAndDeadLettersThoseOutOfAttempts() {
        long expired = f.seed.sending("org-1", Channel.WHATSAPP, ago(Duration.ofHours(1)), ago(Duration.ofMinutes(40)), 2);
        long exhausted = f.seed.sending("org-1", Channel.WHATSAPP, ago(Duration.ofHours(1)), ago(Duration.ofMinutes(35)), 5);
        long alive = f.seed.sending("org-1", Channel.WHATSAPP, ago(Duration.ofMinutes(1)), T0.plusSeconds(60), 1);
        long otherOrg = f.seed.sending("org-2", Channel.WHATSAPP, ago(Duration.ofHours(1)), ago(Duration.ofMinutes(40)), 1);

        BulkResult dry = ops.recoverStuckSending(Scope.org("org-1"), null, BulkOptions.defaults().withDryRun(true), OPERATOR);
        assertThat(dry.resultingStatuses()).containsEntry(MessageStatus.QUEUED, 1).containsEntry(MessageStatus.FAILED, 1);
        BulkResult real = ops.recoverStuckSending(Scope.org("org-1"), null, BulkOptions.defaults(), OPERATOR);

        assertThat(real.messageIds()).isEqualTo(dry.messageIds()).containsExactly(expired, exhausted);
        assertThat(real.resultingStatuses()).isEqualTo(dry.resultingStatuses());
        assertThat(row(expired)).containsEntry("status", "QUEUED").containsEntry("attempt_count", 2)
                .containsEntry("next_attempt_at", T0);
        assertThat(row(exhausted)).containsEntry("status", "FAILED").containsEntry("error_code", "LEASE_EXPIRED");
        assertThat(row(alive)).containsEntry("status", "SENDING");
        assertThat(row(otherOrg)).containsEntry("status", "SENDING");
    }

    @Test
    void progressFollowsTheMessagesAnOperationTouchedWithinItsOrg() {
        long[] matching = seedOutage();
        BulkResult r = ops.retryDeadLetters(Scope.org("org-1"), outageFilter(), BulkOptions.defaults(), OPERATOR);
        f.sql.update("UPDATE outbound_message SET status = 'SENT', provider_message_id = 'wamid.p' || id WHERE id = ANY(?)",
                (Object) new Long[] {matching[0], matching[1], matching[2]});
        f.sql.update("UPDATE outbound_message SET status = 'FAILED' WHERE id = ?", matching[3]);

        var progress = ops.progress(Scope.org("org-1"), r.operationId());
        assertThat(progress.action()).isEqualTo(OperationKind.RETRY_DEAD_LETTERS.name());
        assertThat(progress.affectedCount()).isEqualTo(6);
        assertThat(progress.statusCounts()).containsEntry(MessageStatus.SENT, 3L).containsEntry(MessageStatus.FAILED, 1L)
                .containsEntry(MessageStatus.QUEUED, 2L).containsEntry(MessageStatus.READ, 0L);
        assertThat(progress.messages()).isEqualTo(6);
        assertThat(progress.successRate()).isEqualTo(75.0);

        assertThatThrownBy(() -> ops.progress(Scope.org("org-2"), r.operationId()))
                .isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> ops.progress(Scope.org("org-1"), UUID.randomUUID()))
                .isInstanceOf(NoSuchElementException.class);
        assertThat(ops.progress(Scope.allOrgs(), r.operationId()).messages()).isEqualTo(6);
    }

    @Test
    void anAllOrgsOperationIsNotVisibleFromOneOrgsScope() {
        seedOutage();
        BulkResult r = ops.retryDeadLetters(Scope.allOrgs(), outageFilter(), BulkOptions.defaults(), OPERATOR);
        assertThat(r.changed()).isEqualTo(6 + 1);
        assertThat(f.sql.one("SELECT org_scope FROM outbox_audit WHERE operation_id = ?", r.operationId())).isEqualTo("*");
        assertThatThrownBy(() -> ops.progress(Scope.org("org-1"), r.operationId()))
                .isInstanceOf(NoSuchElementException.class);
    }
}

package io.whatsappoutbox.jdbc.ops;

import static io.whatsappoutbox.jdbc.ops.OpsFixture.OPERATOR;
import static io.whatsappoutbox.jdbc.ops.OpsFixture.ago;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.jdbc.ops.AuditEntry;
import io.whatsappoutbox.jdbc.ops.AuditQuery;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.CancelFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.QueueStatusQuery;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Filter values never become SQL: they are refused by validation, or bound and harmless. */
class InputSafetyTest {
    static final String[] INJECTIONS = {
        "x' OR '1'='1", "1); DROP TABLE outbound_message; --", "131016' --", "org-1'; DELETE FROM outbox_audit; --",
        "NO_CONSENT OR 1=1", "$$; TRUNCATE outbound_message; $$", "1 UNION SELECT secret FROM whatsapp_provider_config"
    };

    final OpsFixture f = new OpsFixture();
    final OutboxOperations ops = f.ops();
    long failed;

    @BeforeEach
    void seed() {
        failed = f.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofDays(3)),
                ago(Duration.ofDays(2)));
        f.seed.failed("org-2", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofDays(3)),
                ago(Duration.ofDays(2)));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    void nothingChanged() {
        assertThat(f.sql.statusCounts()).isEqualTo(Map.of("FAILED", 2L));
        assertThat(f.sql.count("SELECT count(*) FROM outbox_audit")).isZero();
    }

    @Test
    void injectionStringsAsOrgIdsAreRefusedEverywhere() {
        for (String bad : INJECTIONS) {
            assertThatThrownBy(() -> Scope.org(bad)).isInstanceOf(InvalidInputException.class)
                    .satisfies(e -> assertThat(((InvalidInputException) e).concerns("org")).isTrue());
            assertThatThrownBy(() -> ops.retry(bad, failed, OPERATOR, false)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> ops.cancel(bad, failed, OPERATOR, false)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> ops.setQuota(bad, 10, null, OPERATOR, false)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> ops.resetQuota(bad, OPERATOR, false)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> ops.rotateWebhookSecret(Scope.org(bad), Secret.of("6f1c0d0b5b2e4c8a9e7f3a1b2c4d6e8f"),
                    null, OPERATOR, false)).isInstanceOf(InvalidInputException.class);
        }
        nothingChanged();
    }

    @Test
    void injectionStringsAsErrorCodesAreRefusedWithTheRule() {
        for (String bad : INJECTIONS) {
            assertThatThrownBy(() -> DeadLetterFilter.all().withErrorCodes("131016", bad))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("errorCodes").hasMessageContaining("digits");
            assertThatThrownBy(() -> CancelFilter.queued().withErrorCodes(List.of(bad)))
                    .isInstanceOf(InvalidInputException.class);
        }
        nothingChanged();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x' OR '1'='1", "jdoe; DROP TABLE outbox_audit", "", "a b"})
    void injectionStringsAsOperatorNamesAreRefused(String bad) {
        assertThatThrownBy(() -> Operator.of(bad, "INC-1")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("operator");
        assertThatThrownBy(() -> AuditQuery.recent().withOperator(bad)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void aReasonIsFreeTextStoredVerbatimAndHarmless() {
        String reason = "INC-1'); DROP TABLE outbound_message; -- \"quoted\" $$";
        var r = ops.retry("org-1", failed, Operator.of("jdoe", reason), false);
        assertThat(f.sql.one("SELECT reason FROM outbox_audit WHERE operation_id = ?", r.operationId())).isEqualTo(reason);
        assertThat(f.sql.statusCounts()).isEqualTo(Map.of("FAILED", 1L, "QUEUED", 1L));
        assertThatThrownBy(() -> Operator.of("jdoe", "two\nlines")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Operator.of("jdoe", "  ")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void outOfBoundsLimitsAgesAndPacesAreRefused() {
        assertThatThrownBy(() -> BulkOptions.defaults().withLimit(0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> BulkOptions.defaults().withLimit(1_000_000)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> BulkOptions.defaults().withBatchSize(5000)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> BulkOptions.defaults().withPause(Duration.ofHours(1))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> DeadLetterFilter.all().withMinAge(Duration.ofHours(-1)))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> DeadLetterFilter.all().withMinAge(Duration.ofDays(7)).withMaxAge(Duration.ofDays(1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("maxAge");
        assertThatThrownBy(() -> CancelFilter.queued().withStatuses(MessageStatus.SENT))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("statuses");
        assertThatThrownBy(() -> QueueStatusQuery.defaults().withWindow(Duration.ofDays(5000)))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ops.quotas(Scope.allOrgs(), -1)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ops.setQuota("org-1", -5, null, OPERATOR, false)).isInstanceOf(InvalidInputException.class);
        nothingChanged();
    }

    @Test
    void theOutboxsOwnUpperCaseCodesAreAcceptedBesideDigits() {
        f.seed.failed("org-1", Channel.WHATSAPP, "NO_CONSENT", ErrorCategory.OPTED_OUT, ago(Duration.ofDays(3)),
                ago(Duration.ofDays(2)));
        BulkResult r = ops.retryDeadLetters(Scope.org("org-1"), DeadLetterFilter.all().withErrorCodes("NO_CONSENT",
                "HTTP_503"), BulkOptions.defaults().withDryRun(true), OPERATOR);
        assertThat(r.selected()).isEqualTo(1);
    }

    @Test
    void theAuditLogShowsEachOrgItsOwnOperationsNewestFirst() {
        var first = ops.retry("org-1", failed, OPERATOR, true);
        var second = ops.retryDeadLetters(Scope.org("org-1"), DeadLetterFilter.all(), BulkOptions.defaults(),
                Operator.of("asmith", "INC-2"));
        ops.retryDeadLetters(Scope.allOrgs(), DeadLetterFilter.all(), BulkOptions.defaults().withDryRun(true), OPERATOR);
        f.clock.advance(Duration.ofSeconds(1));

        List<AuditEntry> org1 = ops.auditLog(Scope.org("org-1"), AuditQuery.recent());
        assertThat(org1).extracting(AuditEntry::operationId).containsExactly(second.operationId(), first.operationId());
        AuditEntry bulk = org1.get(0);
        assertThat(bulk.action()).isEqualTo("RETRY_DEAD_LETTERS");
        assertThat(bulk.affectedCount()).isEqualTo(1);
        assertThat(bulk.filterJson()).contains("\"status\": \"FAILED\"");
        assertThat(bulk.detailsJson()).contains("\"changed\": 1");
        assertThat(ops.auditLog(Scope.allOrgs(), AuditQuery.recent())).hasSize(3);
        assertThat(ops.auditLog(Scope.allOrgs(), AuditQuery.recent().withOperator("asmith"))).hasSize(1);
        assertThat(ops.auditLog(Scope.allOrgs(), AuditQuery.recent().withKind(OperationKind.RETRY_MESSAGE))).hasSize(1);
        assertThat(ops.auditLog(Scope.org("org-2"), AuditQuery.recent())).isEmpty();
    }
}

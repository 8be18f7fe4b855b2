package io.whatsappoutbox.jdbc.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.OperationProgress;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.internal.JdbcOperations;
import io.whatsappoutbox.jdbc.internal.Jdbis;
import io.whatsappoutbox.jdbc.testing.RowCountingDataSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runbook's manual SMS conversion, through the fallback rules, once per parent. */
class ManualFallbackTest {
    static final FallbackRules CRITICAL = FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
            .onDeadLetter(ErrorCategory.UNDELIVERABLE).smsText(m -> "Rappel (dossier " + m.dossierId() + ")"));
    final OpsFixture fx = new OpsFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void createsOneSmsPerSelectedDeadLetterAndNeverASecond() {
        // the rule's trigger lists UNDELIVERABLE only; an operator's request converts outage failures too
        long outage1 = fx.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.PROVIDER_UNAVAILABLE,
                OpsFixture.ago(Duration.ofHours(2)), OpsFixture.ago(Duration.ofHours(1)));
        long outage2 = fx.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.PROVIDER_UNAVAILABLE,
                OpsFixture.ago(Duration.ofHours(2)), OpsFixture.ago(Duration.ofHours(1)));
        long otherCode = fx.seed.failed("org-1", Channel.WHATSAPP, "132001", ErrorCategory.TEMPLATE,
                OpsFixture.ago(Duration.ofHours(2)), OpsFixture.ago(Duration.ofHours(1)));
        long otherOrg = fx.seed.failed("org-2", Channel.WHATSAPP, "131016", ErrorCategory.PROVIDER_UNAVAILABLE,
                OpsFixture.ago(Duration.ofHours(2)), OpsFixture.ago(Duration.ofHours(1)));
        long sms = fx.seed.failed("org-1", Channel.SMS, "131016", ErrorCategory.PROVIDER_UNAVAILABLE,
                OpsFixture.ago(Duration.ofHours(2)), OpsFixture.ago(Duration.ofHours(1)));
        DeadLetterFilter filter = DeadLetterFilter.all().withErrorCodes("131016");
        BulkOptions options = BulkOptions.defaults().withPause(Duration.ZERO);

        BulkResult dry = fx.ops().fallbackToSms(Scope.org("org-1"), filter, CRITICAL, options.withDryRun(true),
                OpsFixture.OPERATOR);
        assertThat(dry.messageIds()).containsExactly(outage1, outage2);
        assertThat(fx.sql.count("SELECT count(*) FROM outbound_message WHERE fallback_of IS NOT NULL")).isZero();

        BulkResult real = fx.ops().fallbackToSms(Scope.org("org-1"), filter, CRITICAL, options, OpsFixture.OPERATOR);
        assertThat(real.messageIds()).isEqualTo(dry.messageIds());
        assertThat(real.changed()).isEqualTo(2);
        List<Map<String, Object>> created = fx.sql.rows("SELECT fallback_of, channel, status, idempotency_key,"
                + " payload_json::text AS p FROM outbound_message WHERE fallback_of IS NOT NULL ORDER BY fallback_of");
        assertThat(created).extracting(r -> r.get("fallback_of")).containsExactly(outage1, outage2);
        assertThat(created).allSatisfy(r -> {
            assertThat(r.get("channel")).isEqualTo("SMS");
            assertThat(r.get("status")).isEqualTo("QUEUED");
            assertThat((String) r.get("idempotency_key")).endsWith(":fallback:sms");
            assertThat((String) r.get("p")).contains("Rappel");
        });
        OperationProgress progress = fx.ops().progress(Scope.org("org-1"), real.operationId());
        assertThat(progress.toString()).contains("QUEUED");

        // again: nothing left to convert, nothing created twice
        BulkResult again = fx.ops().fallbackToSms(Scope.org("org-1"), filter, CRITICAL, options, OpsFixture.OPERATOR);
        assertThat(again.messageIds()).isEmpty();
        assertThat(fx.sql.count("SELECT count(*) FROM outbound_message WHERE fallback_of IS NOT NULL")).isEqualTo(2);
        assertThat(fx.sql.count("SELECT count(*) FROM outbound_message WHERE fallback_of IN (?, ?, ?)", otherCode, otherOrg, sms))
                .isZero();
        assertThat(fx.sql.count("SELECT count(*) FROM outbox_audit WHERE action = 'FALLBACK_TO_SMS'")).isEqualTo(3);
    }

    @Test
    void eachBatchRereadsOnlyItsOwnParents() {
        int parents = 200;
        for (int i = 0; i < parents; i++) {
            fx.seed.failed("org-1", Channel.WHATSAPP, i, "131026", ErrorCategory.UNDELIVERABLE,
                    OpsFixture.ago(Duration.ofHours(2)), OpsFixture.ago(Duration.ofMinutes(90 - i % 60)), 1);
        }
        RowCountingDataSource counting = new RowCountingDataSource(fx.ds);
        OutboxOperations ops = new JdbcOperations(Jdbis.create(counting.dataSource()), fx.clock,
                fx.outbox.providerConfigs(), d -> { }, java.util.function.UnaryOperator.identity());
        BulkResult r = ops.fallbackToSms(Scope.org("org-1"), DeadLetterFilter.all(), CRITICAL,
                BulkOptions.defaults().withLimit(parents).withBatchSize(10).withPause(Duration.ZERO), OpsFixture.OPERATOR);
        assertThat(r.changed()).isEqualTo(parents);
        // the selection reads each parent once, its batch once more, the created SMS come back once:
        // rereading every matching parent per batch would read about parents^2 / (2 x batch) rows
        assertThat(counting.rowsRead()).as("rows read").isLessThan(5L * parents);
    }

    @Test
    void messagesNoRuleSelectsAreLeftAlone() {
        fx.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.PROVIDER_UNAVAILABLE,
                OpsFixture.ago(Duration.ofHours(2)), OpsFixture.ago(Duration.ofHours(1)));
        FallbackRules newsletterOnly = FallbackRules.of(FallbackRule.forTemplates("newsletter")
                .onDeadLetter(ErrorCategory.UNDELIVERABLE).smsText(m -> "x"));
        BulkResult r = fx.ops().fallbackToSms(Scope.allOrgs(), DeadLetterFilter.all(), newsletterOnly,
                BulkOptions.defaults().withPause(Duration.ZERO), OpsFixture.OPERATOR);
        assertThat(r.messageIds()).isEmpty();
        assertThat(fx.sql.count("SELECT count(*) FROM outbound_message WHERE fallback_of IS NOT NULL")).isZero();
    }
}

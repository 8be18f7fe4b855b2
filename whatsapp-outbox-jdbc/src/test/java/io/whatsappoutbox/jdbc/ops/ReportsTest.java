package io.whatsappoutbox.jdbc.ops;

import static io.whatsappoutbox.jdbc.ops.OpsFixture.T0;
import static io.whatsappoutbox.jdbc.ops.OpsFixture.ago;
import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.jdbc.ops.AffectedOrg;
import io.whatsappoutbox.jdbc.ops.CategoryCount;
import io.whatsappoutbox.jdbc.ops.ChannelHealth;
import io.whatsappoutbox.jdbc.ops.DatabaseHealth;
import io.whatsappoutbox.jdbc.ops.DeadLetterQuery;
import io.whatsappoutbox.jdbc.ops.DeadLetterReport;
import io.whatsappoutbox.jdbc.ops.ErrorCodeCount;
import io.whatsappoutbox.jdbc.ops.FailureAnalysis;
import io.whatsappoutbox.jdbc.ops.FailureQuery;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.QueueStatus;
import io.whatsappoutbox.jdbc.ops.QueueStatusQuery;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.time.Duration;
import java.time.LocalDate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReportsTest {
    final OpsFixture f = new OpsFixture();
    final OutboxOperations ops = f.ops();

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void queueStatusCountsEachStatusAndFindsStuckMessagesButNotScheduledOnes() {
        long stuckQueued = f.seed.queued("org-1", Channel.WHATSAPP, ago(Duration.ofHours(3)), ago(Duration.ofHours(3)));
        f.seed.queued("org-1", Channel.WHATSAPP, ago(Duration.ofMinutes(30)), ago(Duration.ofMinutes(30)));
        f.seed.queued("org-1", Channel.WHATSAPP, ago(Duration.ofHours(5)), T0.plusSeconds(7200)); // scheduled later
        long stuckSending = f.seed.sending("org-1", Channel.WHATSAPP, ago(Duration.ofHours(1)), ago(Duration.ofMinutes(5)), 1);
        f.seed.sending("org-1", Channel.WHATSAPP, ago(Duration.ofMinutes(1)), T0.plusSeconds(60), 1);
        f.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofHours(2)),
                ago(Duration.ofMinutes(20)));
        f.seed.accepted("org-1", Channel.WHATSAPP, "SENT", ago(Duration.ofHours(30)), 1000); // outside the window
        f.seed.queued("org-2", Channel.WHATSAPP, ago(Duration.ofHours(4)), ago(Duration.ofHours(4)));

        QueueStatus s = ops.queueStatus(Scope.org("org-1"), QueueStatusQuery.defaults());

        assertThat(s.statuses()).extracting(QueueStatus.StatusCount::status).containsExactly(MessageStatus.values());
        assertThat(s.count(MessageStatus.QUEUED)).isEqualTo(3);
        assertThat(s.count(MessageStatus.SENDING)).isEqualTo(2);
        assertThat(s.count(MessageStatus.FAILED)).isEqualTo(1);
        assertThat(s.count(MessageStatus.SENT)).isZero();
        QueueStatus.StatusCount queued = s.statuses().get(0);
        assertThat(queued.oldestCreatedAt()).isEqualTo(ago(Duration.ofHours(5)));
        assertThat(queued.newestCreatedAt()).isEqualTo(ago(Duration.ofMinutes(30)));
        assertThat(s.queuedNow()).isEqualTo(3);
        assertThat(s.stuckQueued()).isEqualTo(1);
        assertThat(s.stuckSending()).isEqualTo(1);
        assertThat(s.stuckMessages()).extracting(QueueStatus.StuckMessage::id).containsExactly(stuckQueued, stuckSending);
        assertThat(s.stuckMessages().get(0).stuckFor()).isEqualTo(Duration.ofHours(3));
        assertThat(s.stuckMessages()).allSatisfy(m -> assertThat(m.recipient()).contains("****").hasSize(12));

        QueueStatus all = ops.queueStatus(Scope.allOrgs(), QueueStatusQuery.defaults().withStuckQueuedAfter(Duration.ofHours(1)));
        assertThat(all.stuckQueued()).isEqualTo(2);
        assertThat(all.scope()).isEqualTo("*");
    }

    /** The runbook's provider-outage checks: by code, failure rate per hour, affected orgs. */
    @Test
    void failureAnalysisBreaksTheLastHourDownByCodeCategoryHourAndOrg() {
        for (int i = 0; i < 3; i++) {
            f.seed.failed("org-1", Channel.WHATSAPP, 10 + i, "131016", ErrorCategory.TEMPORARY,
                    ago(Duration.ofMinutes(50)), ago(Duration.ofMinutes(10 + i * 10)), 5);
        }
        f.seed.failed("org-1", Channel.WHATSAPP, 10, "131026", ErrorCategory.UNDELIVERABLE, ago(Duration.ofMinutes(45)),
                ago(Duration.ofMinutes(15)), 1);
        f.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofHours(3)),
                ago(Duration.ofHours(2))); // outside the hour
        f.seed.accepted("org-1", Channel.WHATSAPP, "DELIVERED", ago(Duration.ofMinutes(40)), 800);
        f.seed.failed("org-2", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofMinutes(30)),
                ago(Duration.ofMinutes(5)));

        FailureAnalysis a = ops.failureAnalysis(Scope.org("org-1"), FailureQuery.defaults());

        assertThat(a.totalFailures()).isEqualTo(4);
        ErrorCodeCount top = a.byCode().get(0);
        assertThat(top.errorCode()).isEqualTo("131016");
        assertThat(top.category()).isEqualTo(ErrorCategory.TEMPORARY);
        assertThat(top.count()).isEqualTo(3);
        assertThat(top.percentage()).isEqualTo(75.0);
        assertThat(top.firstSeen()).isEqualTo(ago(Duration.ofMinutes(30)));
        assertThat(top.lastSeen()).isEqualTo(ago(Duration.ofMinutes(10)));
        assertThat(top.sampleMessage()).startsWith("error 131016");
        CategoryCount temporary = a.byCategory().get(0);
        assertThat(temporary.category()).isEqualTo(ErrorCategory.TEMPORARY);
        assertThat(temporary.retryable()).isTrue();
        assertThat(temporary.recommendedAction()).isEqualTo(ErrorCategory.TEMPORARY.recommendedAction());
        // 6 hours back from 10:00: 04:00 to 10:00, empty hours included
        assertThat(a.hourly()).hasSize(7);
        FailureAnalysis.HourlyFailureRate nine = a.hourly().get(5);
        assertThat(nine.hour()).isEqualTo(ago(Duration.ofHours(1)));
        assertThat(nine.total()).isEqualTo(5);
        assertThat(nine.failed()).isEqualTo(4);
        assertThat(nine.failureRatePercent()).isEqualTo(80.0);
        assertThat(a.hourly().get(0).failureRatePercent()).isZero();
        assertThat(a.affectedOrgs()).containsExactly(new AffectedOrg("org-1", 4, 3, 2));

        FailureAnalysis all = ops.failureAnalysis(Scope.allOrgs(), FailureQuery.defaults());
        assertThat(all.affectedOrgs()).extracting(AffectedOrg::orgId).containsExactly("org-1", "org-2");
    }

    /** The runbook's analyze-dlq script. */
    @Test
    void theDeadLetterReportGivesSizeBreakdownsAgesGrowthAndRecommendations() {
        f.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofHours(3)),
                ago(Duration.ofHours(2)));
        f.seed.failed("org-1", Channel.WHATSAPP, "131000", ErrorCategory.TEMPORARY, ago(Duration.ofDays(4)),
                ago(Duration.ofDays(3)));
        f.seed.failed("org-1", Channel.WHATSAPP, "132001", ErrorCategory.TEMPLATE, ago(Duration.ofDays(11)),
                ago(Duration.ofDays(10)));
        f.seed.failed("org-1", Channel.SMS, "21610", ErrorCategory.OPTED_OUT, ago(Duration.ofDays(41)),
                ago(Duration.ofDays(40)));
        f.seed.failed("org-1", Channel.WHATSAPP, "131026", ErrorCategory.UNDELIVERABLE, ago(Duration.ofDays(46)),
                ago(Duration.ofDays(45)));
        f.seed.failed("org-2", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, ago(Duration.ofHours(3)),
                ago(Duration.ofHours(2)));
        f.seed.queued("org-1", Channel.WHATSAPP, T0, T0);

        DeadLetterReport r = ops.deadLetterReport(Scope.org("org-1"), DeadLetterQuery.defaults());

        assertThat(r.size()).isEqualTo(5);
        assertThat(r.byChannel()).containsExactly(new DeadLetterReport.ChannelCount(Channel.WHATSAPP, 4),
                new DeadLetterReport.ChannelCount(Channel.SMS, 1));
        assertThat(r.byCategory()).extracting(CategoryCount::category).first().isEqualTo(ErrorCategory.TEMPORARY);
        assertThat(r.retryable()).isEqualTo(2);
        assertThat(r.nonRetryable()).isEqualTo(3);
        assertThat(r.ageBuckets()).extracting(b -> b.label() + "=" + b.count())
                .containsExactly("<1d=1", "1-7d=1", "7-30d=1", ">30d=2");
        assertThat(r.growth()).hasSize(7);
        assertThat(r.growth().get(6)).isEqualTo(new DeadLetterReport.DailyGrowth(LocalDate.of(2026, 11, 28), 1, 1));
        assertThat(r.growth().get(3)).isEqualTo(new DeadLetterReport.DailyGrowth(LocalDate.of(2026, 11, 25), 1, 1));
        assertThat(r.growth().get(0).additions()).isZero();
        assertThat(r.byCode()).hasSize(5).allSatisfy(c -> assertThat(c.count()).isEqualTo(1));
        assertThat(r.affectedOrgs()).containsExactly(new AffectedOrg("org-1", 5, 5, 5));
        assertThat(r.recommendations()).anySatisfy(s -> assertThat(s).startsWith("2 TEMPORARY (retryable)"))
                .anySatisfy(s -> assertThat(s).contains("Archive the 2 dead letter(s) older than 30 days"));

        assertThat(ops.deadLetterReport(Scope.org("org-1"), DeadLetterQuery.defaults().withChannel(Channel.SMS)).size())
                .isEqualTo(1);
        assertThat(ops.deadLetterReport(Scope.allOrgs(), DeadLetterQuery.defaults()).size()).isEqualTo(6);
        assertThat(ops.deadLetterReport(Scope.org("org-3"), DeadLetterQuery.defaults()).size()).isZero();
    }

    /** The runbook's dashboard JSON, channelMetrics.WHATSAPP. */
    @Test
    void channelHealthGivesTotalsSuccessRateAndAverageLatencyPerChannel() {
        f.seed.accepted("org-1", Channel.WHATSAPP, "SENT", ago(Duration.ofMinutes(30)), 1000);
        f.seed.accepted("org-1", Channel.WHATSAPP, "SENT", ago(Duration.ofMinutes(30)), 2000);
        f.seed.accepted("org-1", Channel.WHATSAPP, "DELIVERED", ago(Duration.ofMinutes(30)), 3000);
        f.seed.accepted("org-1", Channel.WHATSAPP, "READ", ago(Duration.ofMinutes(30)), 2000);
        f.seed.failed("org-1", Channel.WHATSAPP, "131026", ErrorCategory.UNDELIVERABLE, ago(Duration.ofMinutes(20)),
                ago(Duration.ofMinutes(10)));
        f.seed.queued("org-1", Channel.WHATSAPP, ago(Duration.ofMinutes(5)), ago(Duration.ofMinutes(5)));
        f.seed.accepted("org-1", Channel.WHATSAPP, "SENT", ago(Duration.ofHours(3)), 9000); // outside the window
        f.seed.accepted("org-2", Channel.WHATSAPP, "SENT", ago(Duration.ofMinutes(30)), 9000);

        var report = ops.channelHealth(Scope.org("org-1"), Duration.ofHours(1));

        assertThat(report.channelMetrics().get(Channel.WHATSAPP))
                .isEqualTo(new ChannelHealth(Channel.WHATSAPP, 6, 4, 1, 66.7, 2000L));
        assertThat(report.channelMetrics().get(Channel.SMS)).isEqualTo(new ChannelHealth(Channel.SMS, 0, 0, 0, null, null));
    }

    @Test
    void channelHealthShowsEachNumbersQualityAndTierMaskedForTheOrgsOfItsBusinessAccount() {
        for (String[] org : new String[][] {{"org-1", "100000000000001", "200000000000001"},
                {"org-2", "100000000000002", "200000000000001"}, {"org-3", "100000000000003", "200000000000003"}}) {
            f.sql.update("INSERT INTO whatsapp_provider_config (org_id, phone_number_id, business_account_id, enabled,"
                    + " created_at, updated_at) VALUES (?, ?, ?, true, now(), now())", org[0], org[1], org[2]);
        }
        f.sql.update("INSERT INTO whatsapp_number_state (business_account_id, display_phone_number, last_event,"
                + " quality_rating, messaging_limit, updated_at) VALUES ('200000000000001', '15550783881', 'FLAGGED',"
                + " 'RED', 'TIER_1K', ?), ('200000000000003', '33612345678', 'UPGRADE', 'GREEN', 'TIER_10K', ?)",
                java.sql.Timestamp.from(T0), java.sql.Timestamp.from(T0));

        var report = ops.channelHealth(Scope.org("org-2"), Duration.ofHours(1));

        assertThat(report.numbers()).containsExactly(new NumberHealth("200000000000001", "155****3881",
                java.util.List.of("org-2"), "RED", "TIER_1K", "FLAGGED", T0));
        assertThat(ops.channelHealth(Scope.allOrgs(), Duration.ofHours(1)).numbers())
                .extracting(NumberHealth::displayPhoneNumber, NumberHealth::orgIds)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("155****3881", java.util.List.of("org-1", "org-2")),
                        org.assertj.core.groups.Tuple.tuple("336****5678", java.util.List.of("org-3")));
    }

    @Test
    void databaseHealthCoversTheOutboxTablesTheirIndexesAndTheSchemasAutovacuumSettings() {
        f.seed.queued("org-1", Channel.WHATSAPP, T0, T0);
        f.sql.update("ANALYZE outbound_message");
        DatabaseHealth h = ops.databaseHealth();
        assertThat(h.tables()).extracting(DatabaseHealth.TableHealth::table)
                .contains("outbound_message", "outbound_attempt", "whatsapp_rate_limit", "outbox_audit")
                .doesNotContain("outbox_schema_history");
        DatabaseHealth.TableHealth messages = h.tables().stream().filter(t -> t.table().equals("outbound_message"))
                .findFirst().orElseThrow();
        assertThat(messages.settings()).containsEntry("fillfactor", "90")
                .containsEntry("autovacuum_vacuum_scale_factor", "0.01");
        assertThat(messages.totalBytes()).isGreaterThan(messages.tableBytes());
        assertThat(h.indexes()).extracting(DatabaseHealth.IndexHealth::index)
                .contains("outbound_message_claim", "outbound_message_dead_letter", "outbound_message_operation");
    }
}

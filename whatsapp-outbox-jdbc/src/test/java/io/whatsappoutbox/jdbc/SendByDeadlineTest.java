package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.dispatch.OutboxListener;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.jdbc.ops.DeadLetterQuery;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** sendBy on PostgreSQL: stored, swept, checked by the gate, and reported as its own dead letter. */
class SendByDeadlineTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T09:00:00Z"));
    HikariDataSource ds;
    JdbcOutbox outbox;
    Sql sql;
    final ScriptedProvider meta = ScriptedProvider.whatsapp();
    final ScriptedProvider sms = ScriptedProvider.sms();
    Dispatcher dispatcher;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.of("k1", new byte[32])).clock(clock)
                .build();
        sql = new Sql(ds);
        outbox.providerConfigs().save(new ProviderConfig("org-1", "111", "1029384756", Secret.of("token-1"),
                Secret.of("secret-1"), true, null), "test");
    }

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        ds.close();
    }

    final List<OutboxListener.DeadLettered> deadLetters = new CopyOnWriteArrayList<>();

    Dispatcher dispatcher(FallbackRules rules) {
        dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, sms).fallbackRules(rules)
                .listener(new OutboxListener() {
                    @Override
                    public void onDeadLetter(DeadLettered deadLetter) {
                        deadLetters.add(deadLetter);
                    }
                })
                .closeTimeout(Duration.ofSeconds(10)).build();
        return dispatcher;
    }

    long reminder(int n, Instant sendBy) {
        PhoneNumber to = PhoneNumber.of(Requests.phone(n));
        outbox.consents().grant("org-1", to, Channel.WHATSAPP, "test", "test");
        outbox.consents().grant("org-1", to, Channel.SMS, "test", "test");
        return outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", to.value())
                .template("appointment_reminder", "fr", "lundi").dossierId("V-" + n).idempotencyKey("r-" + n)
                .sendBy(sendBy).build()).message().id();
    }

    OutboundMessage message(long id) {
        return outbox.find("org-1", id).orElseThrow();
    }

    @Test
    void theMaintenanceEndsQueuedMessagesPastTheirDeadlineWithoutACallAndTheReportNamesThem() {
        long overdue = reminder(1, Instant.parse("2026-12-02T09:30:00Z"));
        long later = reminder(2, Instant.parse("2026-12-02T11:00:00Z"));
        long none = reminder(3, null);
        assertThat(message(overdue).sendBy()).isEqualTo(Instant.parse("2026-12-02T09:30:00Z"));
        clock.set(Instant.parse("2026-12-02T10:00:00Z"));
        Dispatcher d = dispatcher(FallbackRules.none());

        d.runMaintenance();
        OutboundMessage ended = message(overdue);
        assertThat(ended.status().name()).isEqualTo("FAILED");
        assertThat(ended.lastError().code()).isEqualTo(OutboxErrorCodes.EXPIRED);
        assertThat(ended.lastError().category()).isEqualTo(ErrorCategory.EXPIRED);
        assertThat(ended.lastError().message()).contains("2026-12-02T09:30:00Z");
        assertThat(message(later).status().name()).isEqualTo("QUEUED");
        assertThat(message(none).status().name()).isEqualTo("QUEUED");
        assertThat(outbox.operations().deadLetterReport(Scope.org("org-1"), DeadLetterQuery.defaults()).byCode())
                .anySatisfy(c -> {
                    assertThat(c.errorCode()).isEqualTo(OutboxErrorCodes.EXPIRED);
                    assertThat(c.count()).isEqualTo(1);
                });
        // the dead-letter counter (and any listener) sees it, as an expiry at the gate
        assertThat(deadLetters).containsExactly(new OutboxListener.DeadLettered(Channel.WHATSAPP, null,
                OutboxErrorCodes.EXPIRED, ErrorCategory.EXPIRED, false));

        d.dispatchOnce();
        assertThat(meta.callsFor(overdue)).isZero();
        assertThat(message(later).status().name()).isEqualTo("SENT");
    }

    @Test
    void aClaimedMessagePastItsDeadlineIsNeverSentAndNoSmsFollowsIt() {
        long id = reminder(4, Instant.parse("2026-12-02T09:10:00Z"));
        clock.set(Instant.parse("2026-12-02T09:10:00Z"));
        // the gate, not the sweep: no maintenance run before the claim
        dispatcher(FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                .orNotSentBefore(Duration.ofMinutes(5)).smsText(m -> "Rappel " + m.dossierId()))).dispatchOnce();

        assertThat(message(id).lastError().code()).isEqualTo(OutboxErrorCodes.EXPIRED);
        assertThat(meta.callsFor(id)).isZero();
        assertThat(outbox.findFallback("org-1", id)).isEmpty();
    }

    @Test
    void inTheMarginBeforeTheDeadlineTheSmsGoesInsteadWithTheSameDeadline() {
        long id = reminder(5, Instant.parse("2026-12-02T09:20:00Z"));
        clock.set(Instant.parse("2026-12-02T09:16:00Z"));
        Dispatcher d = dispatcher(FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                .orNotSentBefore(Duration.ofMinutes(5)).smsText(m -> "Rappel " + m.dossierId())));
        d.dispatchOnce();
        d.dispatchOnce();

        assertThat(message(id).lastError().code()).isEqualTo(OutboxErrorCodes.EXPIRED);
        assertThat(meta.callsFor(id)).isZero();
        OutboundMessage fallback = outbox.findFallback("org-1", id).orElseThrow();
        assertThat(fallback.sendBy()).isEqualTo(Instant.parse("2026-12-02T09:20:00Z"));
        assertThat(fallback.status().name()).isEqualTo("SENT");
        assertThat(sms.callsFor(fallback.id())).isEqualTo(1);
    }
}

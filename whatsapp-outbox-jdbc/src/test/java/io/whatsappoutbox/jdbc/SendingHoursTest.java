package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.SendingHours;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.SendingHoursChange;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sending hours on PostgreSQL: set through the audited operations, applied by the dispatcher's gate. */
class SendingHoursTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final Operator OPS = Operator.of("alice", "no offers at night");
    // Saturday 24 October 2026, 21:30 in Paris (UTC+2); that night clocks go back to UTC+1
    final MutableClock clock = new MutableClock(Instant.parse("2026-10-24T19:30:00Z"));
    HikariDataSource ds;
    JdbcOutbox outbox;
    Sql sql;
    ScriptedProvider meta = ScriptedProvider.whatsapp();
    Dispatcher dispatcher;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.of("k1", new byte[32])).clock(clock)
                .build();
        sql = new Sql(ds);
        outbox.providerConfigs().save(new ProviderConfig("org-1", "111", "1029384756", Secret.of("token-1"),
                Secret.of("secret-1"), true, null), "test");
        dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, meta).closeTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        dispatcher.close();
        ds.close();
    }

    long offer(int n, ZoneId zone) {
        PhoneNumber to = PhoneNumber.of(Requests.phone(n));
        outbox.consents().grant("org-1", to, Channel.WHATSAPP, ConsentPurpose.MARKETING, "test", "test");
        return outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", to.value()).template("new_listing", "fr", "T3")
                .purpose(ConsentPurpose.MARKETING).recipientTimeZone(zone).idempotencyKey("offer-" + n).build())
                .message().id();
    }

    long reminder(int n) {
        outbox.consents().grant("org-1", PhoneNumber.of(Requests.phone(n)), Channel.WHATSAPP, "test", "test");
        return outbox.enqueue(Requests.template("org-1", n)).message().id();
    }

    OutboundMessage message(long id) {
        return outbox.find("org-1", id).orElseThrow();
    }

    void dispatch() {
        dispatcher.runMaintenance();
        dispatcher.dispatchOnce();
    }

    @Test
    void anOfferHeldAtNightGoesAtTheOpeningUnderTheOffsetAfterTheAutumnChange() {
        outbox.operations().setSendingHours("org-1", SendingHours.daily(LocalTime.of(9, 0), LocalTime.of(20, 0), PARIS),
                OPS, false);
        long offer = offer(1, null);
        long reminder = reminder(2);

        dispatch();
        assertThat(message(reminder).status().name()).isEqualTo("SENT");
        OutboundMessage held = message(offer);
        assertThat(held.status().name()).isEqualTo("QUEUED");
        assertThat(held.attemptCount()).isZero();
        assertThat(held.lastError().code()).isEqualTo(OutboxErrorCodes.OUTSIDE_SENDING_HOURS);
        // 09:00 on Sunday in Paris is 08:00 UTC once the clocks have gone back, not 07:00
        assertThat(held.nextAttemptAt()).isEqualTo(Instant.parse("2026-10-25T08:00:00Z"));
        assertThat(meta.callsFor(offer)).isZero();

        clock.set(Instant.parse("2026-10-25T07:59:00Z"));
        dispatch();
        assertThat(meta.callsFor(offer)).isZero();
        clock.set(Instant.parse("2026-10-25T08:00:00Z"));
        dispatch();
        assertThat(message(offer).status().name()).isEqualTo("SENT");
        assertThat(meta.callsFor(offer)).isEqualTo(1);
    }

    @Test
    void theZoneTheHostGaveIsStoredAndDecides() {
        outbox.operations().setSendingHours("org-1", SendingHours.daily(LocalTime.of(9, 0), LocalTime.of(20, 0), PARIS),
                OPS, false);
        // 19:30 UTC is 15:30 in New York: open there, whatever the French number says
        long offer = offer(3, ZoneId.of("America/New_York"));
        assertThat(message(offer).recipientTimeZone()).isEqualTo(ZoneId.of("America/New_York"));

        dispatch();
        assertThat(message(offer).status().name()).isEqualTo("SENT");
    }

    @Test
    void settingAndClearingHoursIsAuditedAndADryRunChangesNothing() {
        SendingHours weekdays = SendingHours.daily(LocalTime.of(8, 30), LocalTime.of(19, 0), PARIS)
                .on(DayOfWeek.MONDAY, DayOfWeek.FRIDAY).holdingTransactional(true);
        SendingHoursChange dry = outbox.operations().setSendingHours("org-1", weekdays, OPS, true);
        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.after()).isEqualTo(weekdays);
        assertThat(outbox.operations().sendingHours("org-1")).isEmpty();

        SendingHoursChange set = outbox.operations().setSendingHours("org-1", weekdays, OPS, false);
        assertThat(set.kind()).isEqualTo(OperationKind.SET_SENDING_HOURS);
        assertThat(set.before()).isNull();
        assertThat(outbox.operations().sendingHours("org-1")).contains(weekdays);
        assertThat(outbox.operations().sendingHours("org-2")).isEmpty();

        SendingHoursChange cleared = outbox.operations().setSendingHours("org-1", null, OPS, false);
        assertThat(cleared.kind()).isEqualTo(OperationKind.CLEAR_SENDING_HOURS);
        assertThat(cleared.before()).isEqualTo(weekdays);
        assertThat(outbox.operations().sendingHours("org-1")).isEmpty();
        assertThat(sql.count("SELECT count(*) FROM outbox_audit WHERE action IN ('SET_SENDING_HOURS',"
                + " 'CLEAR_SENDING_HOURS') AND operator = 'alice'")).isEqualTo(3);
    }

    @Test
    void anOrgThatIsNotAnOrgIdIsRefusedNamingTheField() {
        assertThatThrownBy(() -> outbox.operations().setSendingHours("bad org!",
                SendingHours.daily(LocalTime.of(9, 0), LocalTime.of(20, 0), PARIS), OPS, false))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("org");
        assertThat(sql.count("SELECT count(*) FROM outbox_audit")).isZero();
    }
}

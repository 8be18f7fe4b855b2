package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.SendingHours;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.InMemoryStore;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sending hours over the in-memory store: what waits, until when, and what goes at any hour. */
class SendingHoursHoldTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final Duration WAIT = Duration.ofSeconds(20);
    // Wednesday 2 December 2026, 06:00 in Paris
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T05:00:00Z"));
    final InMemoryStore store = new InMemoryStore(clock).grantEveryone();
    final ScriptedProvider meta = ScriptedProvider.whatsapp();
    Dispatcher dispatcher;

    @AfterEach
    void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    void start() {
        dispatcher = Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).clock(clock).batchSize(10)
                .pollInterval(Duration.ofMillis(10)).maintenanceInterval(Duration.ofMillis(20)).build();
        dispatcher.start();
    }

    static OutboundMessageRequest marketing(int n) {
        return OutboundMessageRequest.whatsapp("org-1", Requests.phone(n)).template("new_listing", "fr", "T3")
                .purpose(ConsentPurpose.MARKETING).idempotencyKey("m-" + n).build();
    }

    @Test
    void aMarketingMessageWaitsForTheOpeningWithoutSpendingAnAttemptWhileATransactionalOneGoes() {
        store.sendingHours("org-1", SendingHours.daily(LocalTime.of(9, 0), LocalTime.of(20, 0), PARIS));
        long offer = store.enqueue(marketing(1), clock.instant()).id();
        long reminder = store.enqueue(Requests.template("org-1", 2), clock.instant()).id();
        start();

        Eventually.await("the reminder sent, the offer held", WAIT, () -> store.message(reminder).status() == MessageStatus.SENT
                && store.message(offer).deferralCount() == 1);
        OutboundMessage held = store.message(offer);
        assertThat(held.status()).isEqualTo(MessageStatus.QUEUED);
        assertThat(held.attemptCount()).isZero();
        assertThat(held.nextAttemptAt()).isEqualTo(Instant.parse("2026-12-02T08:00:00Z"));
        assertThat(held.lastError().code()).isEqualTo(OutboxErrorCodes.OUTSIDE_SENDING_HOURS);
        assertThat(meta.callsFor(offer)).isZero();

        clock.set(Instant.parse("2026-12-02T08:00:00Z"));
        Eventually.await("the offer sent at the opening", WAIT, () -> store.message(offer).status() == MessageStatus.SENT);
        assertThat(meta.callsFor(offer)).isEqualTo(1);
    }

    @Test
    void hoursThatHoldTransactionalMessagesHoldThemToo() {
        store.sendingHours("org-1", SendingHours.daily(LocalTime.of(9, 0), LocalTime.of(20, 0), PARIS)
                .holdingTransactional(true));
        long reminder = store.enqueue(Requests.template("org-1", 2), clock.instant()).id();
        start();

        Eventually.await("the reminder held", WAIT, () -> store.message(reminder).deferralCount() == 1);
        assertThat(store.message(reminder).nextAttemptAt()).isEqualTo(Instant.parse("2026-12-02T08:00:00Z"));
        assertThat(meta.callsFor(reminder)).isZero();
    }

    @Test
    void theZoneTheHostGivesWinsOverTheNumbersAndAnotherOrgIsNotHeld() {
        store.sendingHours("org-1", SendingHours.daily(LocalTime.of(9, 0), LocalTime.of(20, 0), PARIS));
        // 06:00 in Paris is 10:30 in Kolkata: open there
        long abroad = store.enqueue(OutboundMessageRequest.whatsapp("org-1", Requests.phone(3))
                .template("new_listing", "fr", "T3").purpose(ConsentPurpose.MARKETING).idempotencyKey("m-3")
                .recipientTimeZone(ZoneId.of("Asia/Kolkata")).build(), clock.instant()).id();
        long otherOrg = store.enqueue(OutboundMessageRequest.whatsapp("org-2", Requests.phone(4))
                .template("new_listing", "fr", "T3").purpose(ConsentPurpose.MARKETING).idempotencyKey("m-4").build(),
                clock.instant()).id();
        start();

        Eventually.await("both sent", WAIT, () -> store.message(abroad).status() == MessageStatus.SENT
                && store.message(otherOrg).status() == MessageStatus.SENT);
    }

    @Test
    void aNumbersZoneComesFromItsPrefixWhenItNamesOneElseTheDefault() {
        RecipientZones zones = new RecipientZones();
        assertThat(zones.fromNumber("+33612345678")).isEqualTo(PARIS);
        assertThat(zones.fromNumber("+12125550123")).isEqualTo(ZoneId.of("America/New_York"));
        assertThat(zones.fromNumber("+919812345678")).isEqualTo(ZoneId.of("Asia/Calcutta"));
        // a Spanish mobile may be on the mainland or in the Canaries: the hours' default decides
        assertThat(zones.fromNumber("+34612345678")).isNull();
    }
}

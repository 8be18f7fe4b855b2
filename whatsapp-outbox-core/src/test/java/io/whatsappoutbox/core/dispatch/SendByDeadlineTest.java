package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.InMemoryStore;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A message's sendBy over the in-memory store: past it nothing is sent, wherever the time went. */
class SendByDeadlineTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T09:00:00Z"));
    final InMemoryStore store = new InMemoryStore(clock).grantEveryone();
    final ScriptedProvider meta = ScriptedProvider.whatsapp();
    final ScriptedProvider sms = ScriptedProvider.sms();
    Dispatcher dispatcher;

    @AfterEach
    void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    void start(FallbackRules rules) {
        dispatcher = Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).provider(Channel.SMS, sms).clock(clock)
                .fallbackRules(rules).batchSize(10).concurrency(1).lease(Duration.ofMinutes(10))
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMinutes(10)).maxDelay(Duration.ofMinutes(10))
                        .random(() -> 0.99).build())
                .pollInterval(Duration.ofMillis(10)).maintenanceInterval(Duration.ofMillis(20)).build();
        dispatcher.start();
    }

    static OutboundMessageRequest reminder(int n, Instant sendBy) {
        return OutboundMessageRequest.whatsapp("org-1", Requests.phone(n)).template("appointment_reminder", "fr", "lundi")
                .idempotencyKey("r-" + n).dossierId("V-" + n).sendBy(sendBy).build();
    }

    static FallbackRule smsWhenLate() {
        return FallbackRule.forTemplates("appointment_reminder").orNotSentBefore(Duration.ofMinutes(30))
                .smsText(m -> "Rappel : visite " + m.dossierId());
    }

    void assertExpired(long id) {
        OutboundMessage m = store.message(id);
        assertThat(m.status()).isEqualTo(MessageStatus.FAILED);
        assertThat(m.lastError().code()).isEqualTo(OutboxErrorCodes.EXPIRED);
        assertThat(m.lastError().category()).isEqualTo(ErrorCategory.EXPIRED);
    }

    @Test
    void aMessageClaimedPastItsSendByIsNeverSent() {
        long late = store.enqueue(reminder(1, clock.instant().minusSeconds(1)), clock.instant()).id();
        long inTime = store.enqueue(reminder(2, clock.instant().plus(Duration.ofHours(1))), clock.instant()).id();
        start(FallbackRules.none());

        Eventually.await("both settled", WAIT, () -> store.message(late).status() == MessageStatus.FAILED
                && store.message(inTime).status() == MessageStatus.SENT);
        assertExpired(late);
        assertThat(store.message(late).lastError().message()).contains("2026-12-02T08:59:59Z");
        assertThat(meta.callsFor(late)).isZero();
    }

    @Test
    void aRetryThatWouldComeAfterTheDeadlineEndsTheMessageAtOnce() {
        meta.script(Requests.phone(3), ScriptedProvider.error("131000", 500));
        long id = store.enqueue(reminder(3, clock.instant().plus(Duration.ofMinutes(5))), clock.instant()).id();
        start(FallbackRules.none());

        Eventually.await("expired after one call", WAIT, () -> store.message(id).status() == MessageStatus.FAILED);
        assertExpired(id);
        assertThat(store.message(id).lastError().message()).contains("retry").contains("131000");
        assertThat(meta.callsFor(id)).isEqualTo(1);
    }

    @Test
    void aMessageMadeLateAfterItsClaimIsNotCalled() {
        // the first call of the batch takes until past the second message's deadline
        meta.script(Requests.phone(4), m -> {
            clock.advance(Duration.ofMinutes(2));
            return meta.accept(m);
        });
        long first = store.enqueue(reminder(4, null), clock.instant()).id();
        long second = store.enqueue(reminder(5, clock.instant().plus(Duration.ofMinutes(1))), clock.instant()).id();
        start(FallbackRules.none());

        Eventually.await("both settled", WAIT, () -> store.message(first).status() == MessageStatus.SENT
                && store.message(second).status() == MessageStatus.FAILED);
        assertExpired(second);
        assertThat(store.message(second).lastError().message()).contains("call would start");
        assertThat(meta.callsFor(second)).isZero();
    }

    @Test
    void aRuleSendsTheSmsInTheMarginBeforeTheDeadlineWithTheSameDeadline() {
        Instant sendBy = clock.instant().plus(Duration.ofMinutes(20));
        long id = store.enqueue(reminder(6, sendBy), clock.instant()).id();
        start(FallbackRules.of(smsWhenLate()));

        Eventually.await("the SMS sent", WAIT, () -> store.fallbackOf(id)
                .map(f -> store.message(f.id()).status() == MessageStatus.SENT).orElse(false));
        assertExpired(id);
        assertThat(meta.callsFor(id)).isZero();
        OutboundMessage fallback = store.fallbackOf(id).orElseThrow();
        assertThat(fallback.sendBy()).isEqualTo(sendBy);
        assertThat(sms.callsFor(fallback.id())).isEqualTo(1);
    }

    @Test
    void pastTheDeadlineItselfNoSmsIsCreated() {
        long id = store.enqueue(reminder(7, clock.instant().minusSeconds(1)), clock.instant()).id();
        start(FallbackRules.of(smsWhenLate()));

        Eventually.await("expired", WAIT, () -> store.message(id).status() == MessageStatus.FAILED);
        assertExpired(id);
        assertThat(store.fallbackOf(id)).isEmpty();
        assertThat(sms.calls()).isEmpty();
    }

    @Test
    void aMessageWithoutSendByIsSentWhateverTheRule() {
        long id = store.enqueue(reminder(8, null), clock.instant()).id();
        start(FallbackRules.of(smsWhenLate()));

        Eventually.await("sent", WAIT, () -> store.message(id).status() == MessageStatus.SENT);
        assertThat(store.fallbackOf(id)).isEmpty();
    }
}

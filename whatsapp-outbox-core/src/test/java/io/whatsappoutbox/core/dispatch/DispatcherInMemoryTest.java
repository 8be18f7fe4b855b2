package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.InMemoryStore;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine end to end over the in-memory store: no PostgreSQL, real threads, the real providers' SPI. */
class DispatcherInMemoryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<Dispatcher> dispatchers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        dispatchers.forEach(Dispatcher::close);
    }

    private static List<Long> enqueue(InMemoryStore store, String org, int count, Instant now) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(store.enqueue(Requests.template(org, i), now).id());
        }
        return ids;
    }

    private Dispatcher started(Dispatcher.Builder b) {
        Dispatcher d = b.retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(10)).build())
                .pollInterval(Duration.ofMillis(10)).maintenanceInterval(Duration.ofMillis(50))
                .closeTimeout(Duration.ofSeconds(10)).build();
        dispatchers.add(d);
        d.start();
        return d;
    }

    @Test
    void everyQueuedMessageIsSentOnceAndWrittenWithOneAttemptRow() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        List<Long> ids = enqueue(store, "org-1", 120, Instant.now());
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).batchSize(25).concurrency(4));

        Eventually.await("all sent", WAIT, () -> store.count(MessageStatus.SENT) == 120);
        for (long id : ids) {
            assertThat(meta.callsFor(id)).as("calls for %s", id).isEqualTo(1);
            assertThat(store.attempts(id)).singleElement().satisfies(a -> {
                assertThat(a.outcome()).isEqualTo(Outcome.SENT);
                assertThat(a.applied()).isTrue();
            });
            assertThat(store.message(id).providerMessageId()).startsWith("scripted-meta.");
        }
    }

    @Test
    void anOutageOfThePrimaryOpensItsCircuitAndTheSecondaryCarriesTheRest() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        List<Long> ids = enqueue(store, "org-1", 60, Instant.now());
        ScriptedProvider primary = new ScriptedProvider("primary", ErrorCatalogue.meta())
                .otherwise(ScriptedProvider.error("131016", 503));
        ScriptedProvider secondary = new ScriptedProvider("secondary", ErrorCatalogue.meta());
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, primary, secondary).batchSize(10).concurrency(2)
                .circuitBreaker(CircuitBreakerSettings.defaults().withSlidingWindow(6, 6)
                        .withOpenFor(Duration.ofMinutes(10))));

        Eventually.await("all sent", WAIT, () -> store.count(MessageStatus.SENT) == 60);
        // the breaker counts 6 calls before it judges: those 6 failed, then the primary was left alone
        assertThat(primary.calls()).hasSizeBetween(6, 8);
        assertThat(secondary.calls()).hasSize(60);
        for (long id : ids) {
            assertThat(store.attempts(id).stream().filter(a -> a.outcome() == Outcome.SENT))
                    .singleElement().satisfies(a -> assertThat(a.provider()).isEqualTo("secondary"));
        }
        assertThat(store.attempts().stream().filter(a -> a.outcome() == Outcome.RETRY))
                .allSatisfy(a -> {
                    assertThat(a.provider()).isEqualTo("primary");
                    assertThat(a.error().code()).isEqualTo("131016");
                });
    }

    @Test
    void aQuotaDeferralGivesTheAttemptBackAndWritesNoAttemptRow() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T09:00:00Z"));
        InMemoryStore store = new InMemoryStore(clock).grantEveryone().quota("org-1", 3, Duration.ofHours(1));
        List<Long> ids = enqueue(store, "org-1", 5, clock.instant());
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).clock(clock).batchSize(10));

        Eventually.await("three sent, two waiting for the quota", WAIT, () -> store.count(MessageStatus.SENT) == 3
                && store.messages().stream().filter(m -> m.status() == MessageStatus.QUEUED && m.deferralCount() == 1).count() == 2);
        List<OutboundMessage> waiting = store.messages().stream().filter(m -> m.status() == MessageStatus.QUEUED).toList();
        assertThat(waiting).allSatisfy(m -> {
            assertThat(m.attemptCount()).isZero();
            assertThat(m.nextAttemptAt()).isEqualTo(Instant.parse("2026-12-02T10:00:00Z"));
            assertThat(m.lastError().code()).isEqualTo(OutboxErrorCodes.QUOTA_EXHAUSTED);
            assertThat(store.attempts(m.id())).isEmpty();
        });
        assertThat(meta.calls()).hasSize(3);

        clock.advance(Duration.ofHours(1));
        Eventually.await("the rest sent after the reset", WAIT, () -> store.count(MessageStatus.SENT) == 5);
        assertThat(ids).allSatisfy(id -> assertThat(meta.callsFor(id)).isEqualTo(1));
    }

    @Test
    void aBatchThatCannotBeWrittenIsWrittenLaterWithoutCallingTheProviderAgain() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        AtomicInteger failures = new AtomicInteger();
        store.failCompletionsWhile(results -> failures.getAndIncrement() < 3);
        List<Long> ids = enqueue(store, "org-1", 30, Instant.now());
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).batchSize(30).lease(Duration.ofMinutes(5)));

        Eventually.await("all sent", WAIT, () -> store.count(MessageStatus.SENT) == 30);
        assertThat(failures.get()).isGreaterThan(3);
        assertThat(ids).allSatisfy(id -> {
            assertThat(meta.callsFor(id)).isEqualTo(1);
            assertThat(store.attempts(id)).hasSize(1);
        });
    }

    @Test
    void aProviderThatThrowsCostsAnAttemptAndTheMessageIsSentOnTheRetry() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        long id = store.enqueue(Requests.template("org-1", 1), Instant.now()).id();
        ScriptedProvider meta = ScriptedProvider.whatsapp().script(Requests.phone(1), ScriptedProvider.throwing());
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta));

        Eventually.await("sent on the retry", WAIT, () -> store.message(id).status() == MessageStatus.SENT);
        assertThat(store.attempts(id)).extracting(a -> a.outcome()).containsExactly(Outcome.RETRY, Outcome.SENT);
        assertThat(store.attempts(id).get(0).error().code()).isEqualTo(OutboxErrorCodes.PROVIDER_EXCEPTION);
        assertThat(store.message(id).attemptCount()).isEqualTo(2);
    }

    @Test
    void closeWaitsForTheSendInFlightAndWritesIt() throws InterruptedException {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        long id = store.enqueue(Requests.template("org-1", 1), Instant.now()).id();
        CountDownLatch calling = new CountDownLatch(1);
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        meta.otherwise(m -> {
            calling.countDown();
            return meta.hangThenAccept(Duration.ofMillis(300)).apply(m);
        });
        Dispatcher d = started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta));
        assertThat(calling.await(10, TimeUnit.SECONDS)).isTrue();

        d.close();
        assertThat(store.message(id).status()).isEqualTo(MessageStatus.SENT);
        assertThat(store.attempts(id)).hasSize(1);
    }

    @Test
    void aPermanentErrorDeadLettersAndFallsBackOnceOnTheOtherChannel() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        long id = store.enqueue(Requests.template("org-1", 1), Instant.now()).id();
        ScriptedProvider meta = ScriptedProvider.whatsapp().otherwise(ScriptedProvider.error("131026", 400));
        ScriptedProvider sms = ScriptedProvider.sms();
        FallbackRules rules = FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                .onDeadLetter(ErrorCategory.UNDELIVERABLE).smsText(m -> "Rappel de rendez-vous"));
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).provider(Channel.SMS, sms).fallbackRules(rules));

        Eventually.await("the SMS fallback sent", WAIT, () -> store.fallbackOf(id)
                .map(f -> f.status() == MessageStatus.SENT).orElse(false));
        assertThat(store.message(id).status()).isEqualTo(MessageStatus.FAILED);
        assertThat(store.message(id).lastError().code()).isEqualTo("131026");
        assertThat(sms.calls()).singleElement().satisfies(m -> assertThat(m.channel()).isEqualTo(Channel.SMS));
        assertThat(meta.callsFor(id)).isEqualTo(1);
    }

    @Test
    void aResultWhoseLeaseWasRecoveredIsRefusedAndTheMessageSentByItsNewClaim() throws InterruptedException {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T09:00:00Z"));
        InMemoryStore store = new InMemoryStore(clock).grantEveryone();
        long id = store.enqueue(Requests.template("org-1", 1), clock.instant()).id();
        CountDownLatch firstCallStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstCall = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        meta.otherwise(m -> {
            if (first.getAndSet(false)) {
                firstCallStarted.countDown();
                try {
                    releaseFirstCall.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return meta.accept(m);
        });
        Dispatcher d = started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).clock(clock)
                .lease(Duration.ofSeconds(30)).maintenanceInterval(Duration.ofHours(1)).concurrency(2));
        assertThat(firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();

        // the first call outlives its lease: maintenance gives the message back and it is claimed again
        clock.advance(Duration.ofSeconds(31));
        d.runMaintenance();
        Eventually.await("sent by its new claim", WAIT, () -> store.message(id).status() == MessageStatus.SENT);
        releaseFirstCall.countDown();

        Eventually.await("both results in", WAIT, () -> store.attempts(id).size() == 2);
        assertThat(store.attempts(id)).filteredOn(a -> !a.applied()).singleElement()
                .satisfies(a -> assertThat(a.outcome()).isEqualTo(Outcome.SENT));
        assertThat(store.message(id).attemptCount()).isEqualTo(2);
        assertThat(meta.callsFor(id)).isEqualTo(2);
    }

    @Test
    void aReceiptThatBeatsItsSendsResultWaitsAndIsAppliedOnceTheResultIsWritten() throws InterruptedException {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        long id = store.enqueue(Requests.template("org-1", 1), Instant.now()).id();
        CountDownLatch calling = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        ScriptedProvider meta = ScriptedProvider.whatsapp()
                .otherwise(ScriptedProvider.held(calling, answer, m -> SendResult.accepted("wamid.early")));
        Dispatcher d = started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).webhookStore(store));
        assertThat(calling.await(10, TimeUnit.SECONDS)).isTrue();

        WebhookResult early = d.webhooks().accept(new WebhookBatch("meta", List.of(new DeliveryReceipt(Channel.WHATSAPP,
                "wamid.early", DeliveryStatus.DELIVERED, Instant.now(), null, "org-1")), List.of()));
        assertThat(early.pending()).isEqualTo(1);
        assertThat(store.pendingReceipts()).hasSize(1);
        answer.countDown();

        Eventually.await("delivered", WAIT, () -> store.message(id).status() == MessageStatus.DELIVERED);
        assertThat(store.pendingReceipts()).isEmpty();
        assertThat(store.message(id).deliveredAt()).isNotNull();
    }

    @Test
    void withoutAWebhookStoreAReceiptThatBeatsItsSendsResultIsStillApplied() throws InterruptedException {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        long id = store.enqueue(Requests.template("org-1", 1), Instant.now()).id();
        CountDownLatch calling = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        ScriptedProvider meta = ScriptedProvider.whatsapp()
                .otherwise(ScriptedProvider.held(calling, answer, m -> SendResult.accepted("wamid.early")));
        // no webhookStore(...): another instance serves the webhooks
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta));
        assertThat(calling.await(10, TimeUnit.SECONDS)).isTrue();
        store.apply(new WebhookBatch("meta", List.of(new DeliveryReceipt(Channel.WHATSAPP, "wamid.early",
                DeliveryStatus.DELIVERED, Instant.now(), null, "org-1")), List.of()), ResultWriterTest.DECISIONS,
                Instant.now());
        assertThat(store.pendingReceipts()).hasSize(1);
        answer.countDown();

        Eventually.await("delivered", WAIT, () -> store.message(id).status() == MessageStatus.DELIVERED);
        assertThat(store.pendingReceipts()).isEmpty();
    }

    @Test
    void anOptOutReplyRevokesConsentAndOpensTheSessionWindow() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        Dispatcher d = Dispatcher.builder(store).provider(Channel.WHATSAPP, ScriptedProvider.whatsapp()).webhookStore(store).build();
        dispatchers.add(d);
        Instant at = Instant.parse("2026-12-02T09:00:00Z");
        InboundMessage stop = new InboundMessage("org-1", Channel.WHATSAPP, PhoneNumber.of(Requests.phone(7)), "wamid.in.1", "text",
                "Stop !", null, null, at);

        WebhookResult first = d.webhooks().accept(new WebhookBatch("meta", List.of(), List.of(stop)));
        WebhookResult again = d.webhooks().accept(new WebhookBatch("meta", List.of(), List.of(stop)));

        assertThat(first.applied()).isEqualTo(1);
        assertThat(again.duplicates()).isEqualTo(1);
        assertThat(store.consentOf("org-1", Requests.phone(7), Channel.WHATSAPP)).isEqualTo(ConsentStatus.REVOKED);
        assertThat(store.consentOf("org-1", Requests.phone(7), Channel.SMS)).isEqualTo(ConsentStatus.GRANTED);
        assertThat(store.inbound()).hasSize(1);
    }

    @Test
    void dispatchOnceWithoutStartSendsOneBatchAndWritesItBeforeItReturns() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        enqueue(store, "org-1", 25, Instant.now());
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        Dispatcher d = Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).batchSize(10).concurrency(4).build();
        dispatchers.add(d);

        assertThat(d.dispatchOnce()).isEqualTo(10);
        assertThat(store.count(MessageStatus.SENT)).isEqualTo(10);
        assertThat(store.count(MessageStatus.SENDING)).isZero();
        assertThat(d.dispatchOnce()).isEqualTo(10);
        assertThat(d.dispatchOnce()).isEqualTo(5);
        assertThat(d.dispatchOnce()).isZero();
        assertThat(store.count(MessageStatus.SENT)).isEqualTo(25);
        assertThat(d.health().running()).isFalse();
        assertThat(d.health().permitsFree()).isEqualTo(d.health().maxInFlight());
        assertThat(d.health().breakers()).isNotEmpty().allSatisfy((provider, state) ->
                assertThat(state).isEqualTo(OutboxListener.CircuitState.CLOSED));
        assertThat(d.health().anyBreakerOpen()).isFalse();

        d.close();
        assertThatThrownBy(d::dispatchOnce).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}

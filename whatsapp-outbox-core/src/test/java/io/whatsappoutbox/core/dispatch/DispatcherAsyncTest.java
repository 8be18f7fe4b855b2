package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimShare;
import io.whatsappoutbox.core.store.ClaimedMessage;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The send path of asynchronous providers, over the in-memory store. */
class DispatcherAsyncTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<Dispatcher> dispatchers = new ArrayList<>();
    private final List<SendSide> sendSides = new ArrayList<>();
    private final List<ExecutorService> oneThreads = new ArrayList<>();

    @AfterEach
    void closeAll() {
        dispatchers.forEach(Dispatcher::close);
        sendSides.forEach(s -> s.shutdown(Duration.ofSeconds(5)));
        oneThreads.forEach(ExecutorService::shutdownNow);
    }

    private Dispatcher started(Dispatcher.Builder b) {
        Dispatcher d = b.retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(10)).build())
                .pollInterval(Duration.ofMillis(10)).maintenanceInterval(Duration.ofMillis(50))
                .closeTimeout(Duration.ofSeconds(10)).build();
        dispatchers.add(d);
        d.start();
        return d;
    }

    private SendSide sendSide(Dispatcher.Builder b) {
        SendSide side = new SendSide(new DispatcherSettings(b), new OutboxListener() {});
        sendSides.add(side);
        return side;
    }

    @Test
    void aFailingStageCostsAnAttemptAsAThrowingSendDoesAndTheRetrySends() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        long id = store.enqueue(Requests.template("org-1", 1), Instant.now()).id();
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous()
                .script(Requests.phone(1), ScriptedProvider.throwing());
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta));

        Eventually.await("sent on the retry", WAIT, () -> store.message(id).status() == MessageStatus.SENT);
        assertThat(store.attempts(id)).extracting(a -> a.outcome()).containsExactly(Outcome.RETRY, Outcome.SENT);
        assertThat(store.attempts(id).get(0).error().code()).isEqualTo(OutboxErrorCodes.PROVIDER_EXCEPTION);
        assertThat(meta.callsFor(id)).isEqualTo(2);
    }

    @Test
    void aStageTheProviderLeavesOpenPastItsCallTimeoutIsATimeoutAndTheRetrySends() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        long id = store.enqueue(Requests.template("org-1", 1), Instant.now()).id();
        // the first call's stage would stay open for a minute: longer than the lease
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous().callTimeout(Duration.ofMillis(300));
        meta.script(Requests.phone(1), meta.hangThenAccept(Duration.ofMinutes(1)));
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).lease(Duration.ofSeconds(12)));

        Eventually.await("sent on the retry", WAIT, () -> store.message(id).status() == MessageStatus.SENT);
        assertThat(store.attempts(id)).extracting(a -> a.outcome()).containsExactly(Outcome.RETRY, Outcome.SENT);
        assertThat(store.attempts(id).get(0).error().code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
        assertThat(meta.callsFor(id)).isEqualTo(2);
    }

    @Test
    void aRejectedAnswerIsDecidedByTheCatalogueAsOnTheSynchronousPath() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        long id = store.enqueue(Requests.template("org-1", 1), Instant.now()).id();
        // 131026: the recipient cannot receive WhatsApp messages, a permanent error
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous()
                .script(Requests.phone(1), ScriptedProvider.error("131026", 400));
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta));

        Eventually.await("dead-lettered", WAIT, () -> store.message(id).status() == MessageStatus.FAILED);
        assertThat(store.attempts(id)).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(Outcome.DEAD_LETTER);
            assertThat(a.error().code()).isEqualTo("131026");
        });
    }

    @Test
    void anOutageOfTheAsynchronousPrimaryOpensItsCircuitAndTheSecondaryCarriesTheRest() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            ids.add(store.enqueue(Requests.template("org-1", i), Instant.now()).id());
        }
        ScriptedProvider primary = new ScriptedProvider("primary", ErrorCatalogue.meta()).asynchronous()
                .otherwise(ScriptedProvider.error("131016", 503));
        ScriptedProvider secondary = new ScriptedProvider("secondary", ErrorCatalogue.meta()).asynchronous();
        started(Dispatcher.builder(store).provider(Channel.WHATSAPP, primary, secondary).batchSize(10).concurrency(2)
                .circuitBreaker(CircuitBreakerSettings.defaults().withSlidingWindow(6, 6)
                        .withOpenFor(Duration.ofMinutes(10))));

        Eventually.await("all sent", WAIT, () -> store.count(MessageStatus.SENT) == 60);
        // calls already started when the breaker judged still count: a few more than the window
        assertThat(primary.calls().size()).isBetween(6, 6 + 2 * 10);
        assertThat(secondary.calls()).hasSize(60);
        for (long id : ids) {
            assertThat(store.attempts(id).stream().filter(a -> a.outcome() == Outcome.SENT))
                    .singleElement().satisfies(a -> assertThat(a.provider()).isEqualTo("secondary"));
        }
        assertThat(store.attempts().stream().filter(a -> a.outcome() == Outcome.RETRY))
                .allSatisfy(a -> assertThat(a.error().code()).isEqualTo("131016"));
    }

    @Test
    void closeWaitsForTheAsynchronousCallsInFlightAndWritesThem() throws InterruptedException {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(store.enqueue(Requests.template("org-1", i), Instant.now()).id());
        }
        CountDownLatch calling = new CountDownLatch(5);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous();
        meta.otherwise(ScriptedProvider.held(calling, release, meta::accept));
        // one send thread: the five calls are in flight at once only because none holds it
        ExecutorService oneThread = Executors.newSingleThreadExecutor();
        Dispatcher d = started(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).executor(oneThread));
        assertThat(calling.await(10, TimeUnit.SECONDS)).isTrue();

        Thread closing = new Thread(d::close);
        closing.start();
        closing.join(300);
        assertThat(closing.isAlive()).as("close waits for the calls").isTrue();
        release.countDown();
        closing.join(15_000);
        assertThat(closing.isAlive()).isFalse();
        for (long id : ids) {
            assertThat(store.message(id).status()).isEqualTo(MessageStatus.SENT);
            assertThat(store.attempts(id)).hasSize(1);
        }
        assertThat(meta.mostUnanswered()).isEqualTo(5);
        oneThread.shutdown();
    }

    @Test
    void theCallPermitsComeBackWhateverTheOutcome() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        Instant now = Instant.now();
        for (int i = 0; i < 40; i++) {
            store.enqueue(Requests.template("org-1", i), now);
        }
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous();
        for (int i = 0; i < 40; i++) {
            switch (i % 4) {
                case 0 -> meta.script(Requests.phone(i), ScriptedProvider.throwing());
                case 1 -> meta.script(Requests.phone(i), ScriptedProvider.error("131026", 400));
                case 2 -> meta.script(Requests.phone(i), ScriptedProvider.error("131016", 503));
                default -> { }
            }
        }
        SendSide side = sendSide(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).concurrency(2));
        List<ClaimedMessage> batch = store.claim("test:1", 40, Duration.ofMinutes(2), now, ClaimShare.ALL);
        List<AttemptResult> results = new CopyOnWriteArrayList<>();

        side.sender.process(batch, now, results::add);

        Eventually.await("every result", WAIT, () -> results.size() == 40);
        assertThat(side.sender.calls().inCall()).isZero();
        assertThat(results).extracting(AttemptResult::outcome)
                .contains(Outcome.SENT, Outcome.RETRY, Outcome.DEAD_LETTER);
    }

    @Test
    void aMessageWaitingForACallPermitPastItsLastCallStartIsGivenBackUnsent() throws InterruptedException {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T09:00:00Z"));
        InMemoryStore store = new InMemoryStore(clock).grantEveryone();
        int held = CallPermits.FLOOR;
        for (int i = 0; i <= held; i++) {
            store.enqueue(Requests.template("org-" + i, i), clock.instant());
        }
        CountDownLatch calling = new CountDownLatch(held);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous();
        meta.otherwise(ScriptedProvider.held(calling, release, meta::accept));
        SendSide side = sendSide(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).clock(clock)
                .messagesPerSecond(10_000));
        Instant claimedAt = clock.instant();
        List<ClaimedMessage> batch = store.claim("test:1", held + 1, Duration.ofMinutes(2), claimedAt, ClaimShare.ALL);
        List<AttemptResult> results = new CopyOnWriteArrayList<>();

        side.sender.process(batch, claimedAt, results::add);
        assertThat(calling.await(10, TimeUnit.SECONDS)).isTrue();
        // every permit is taken by a call in flight: the last message waits, until its lease is too short
        clock.set(side.lease.lastCallStart(claimedAt).plusMillis(1));
        Eventually.await("the last one given back", WAIT, () -> results.size() == 1);
        release.countDown();
        Eventually.await("the others sent", WAIT, () -> results.size() == held + 1);

        assertThat(meta.calls()).hasSize(held);
        assertThat(results.stream().filter(r -> r.outcome() == Outcome.DEFERRED)).singleElement()
                .satisfies(r -> assertThat(r.error().code()).isEqualTo(OutboxErrorCodes.LEASE_ENDING));
        assertThat(side.sender.calls().inCall()).isZero();
    }

    @Test
    void noMoreCallsStartAtOnceThanTheProvidersClientCarries() throws InterruptedException {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        Instant now = Instant.now();
        for (int i = 0; i < 5; i++) {
            store.enqueue(Requests.template("org-" + i, i), now);
        }
        CountDownLatch calling = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous().maxConcurrentCalls(2);
        meta.otherwise(ScriptedProvider.held(calling, release, meta::accept));
        SendSide side = sendSide(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).messagesPerSecond(10_000));
        List<ClaimedMessage> batch = store.claim("test:1", 5, Duration.ofMinutes(2), now, ClaimShare.ALL);
        List<AttemptResult> results = new CopyOnWriteArrayList<>();

        side.sender.process(batch, now, results::add);
        assertThat(calling.await(10, TimeUnit.SECONDS)).isTrue();
        // the other three wait for a permit, not in the provider's client
        Eventually.await("three waiting for a permit", WAIT, () -> side.sender.calls().waiting() == 3);
        assertThat(meta.mostUnanswered()).isEqualTo(2);
        release.countDown();

        Eventually.await("all sent", WAIT, () -> results.size() == 5);
        assertThat(meta.mostUnanswered()).isEqualTo(2);
        assertThat(results).extracting(AttemptResult::outcome).containsOnly(Outcome.SENT);
    }

    @Test
    void aConcurrencyTheHostSetIsTheCeilingOfCallsAtOnceOnTheAsynchronousPathToo() throws InterruptedException {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        Instant now = Instant.now();
        for (int i = 0; i < 6; i++) {
            store.enqueue(Requests.template("org-" + i, i), now);
        }
        CountDownLatch calling = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        // the client carries many: the host's concurrency is what bounds the calls
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous().maxConcurrentCalls(512);
        meta.otherwise(ScriptedProvider.held(calling, release, meta::accept));
        SendSide side = sendSide(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).messagesPerSecond(10_000)
                .concurrency(3));
        List<ClaimedMessage> batch = store.claim("test:1", 6, Duration.ofMinutes(2), now, ClaimShare.ALL);
        List<AttemptResult> results = new CopyOnWriteArrayList<>();

        side.sender.process(batch, now, results::add);
        assertThat(calling.await(10, TimeUnit.SECONDS)).isTrue();
        Eventually.await("three waiting for a permit", WAIT, () -> side.sender.calls().waiting() == 3);
        assertThat(meta.mostUnanswered()).isEqualTo(3);
        release.countDown();

        Eventually.await("all sent", WAIT, () -> results.size() == 6);
        assertThat(meta.mostUnanswered()).isEqualTo(3);
        assertThat(results).extracting(AttemptResult::outcome).containsOnly(Outcome.SENT);
    }

    @Test
    void aCallThatWaitedForAPermitPastItsPaceSlotTakesANewSlotInsteadOfGoingAtOnce() throws InterruptedException {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T09:00:00Z"));
        InMemoryStore store = new InMemoryStore(clock).grantEveryone().sender("org-a", "111").sender("org-b", "222");
        store.enqueue(Requests.template("org-a", 1), clock.instant());
        store.enqueue(Requests.template("org-b", 2), clock.instant());
        CountDownLatch calling = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous().maxConcurrentCalls(1);
        meta.script(Requests.phone(1), ScriptedProvider.held(calling, release, meta::accept));
        // org-b's number sends one message a second: its one slot of this second is its message's
        SendSide side = sendSide(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).clock(clock)
                .messagesPerSecond("111", 10_000).messagesPerSecond("222", 1).pacingWait(Duration.ofMillis(100)));
        Instant claimedAt = clock.instant();
        List<ClaimedMessage> batch = store.claim("test:1", 2, Duration.ofMinutes(2), claimedAt, ClaimShare.ALL);
        List<AttemptResult> results = new CopyOnWriteArrayList<>();

        side.sender.process(batch, claimedAt, results::add);
        assertThat(calling.await(10, TimeUnit.SECONDS)).isTrue();
        Eventually.await("org-b's message waiting for the permit", WAIT, () -> side.sender.calls().waiting() == 1);
        // the wait for the permit outlasts the slot
        clock.set(claimedAt.plusSeconds(1));
        release.countDown();

        Eventually.await("both results", WAIT, () -> results.size() == 2);
        assertThat(meta.calls()).hasSize(1);
        assertThat(results.stream().filter(r -> r.outcome() == Outcome.DEFERRED)).singleElement()
                .satisfies(r -> assertThat(r.error().code()).isEqualTo(OutboxErrorCodes.ORG_THROTTLED));
    }

    @Test
    void aStartThatComesLaterThanItsSlotAllowsTakesANewSlotAndIsTriedAgainShortlyWhenLateAgain()
            throws Exception {
        // one a second: one slot now, the next two a second apart, started from the pacing thread
        ReservedSlots r = slotsReserved(3, 1);
        // whatever held the starts up (a pause, a busy pacing thread), they come well past their slots
        r.clock.set(r.claimedAt.plusSeconds(10));
        Eventually.await("both late starts seen", WAIT, () -> r.side.sender.lateStarts() == 2);
        // and past their new slots too
        r.clock.set(r.claimedAt.plusSeconds(20));

        Eventually.await("three results", WAIT, () -> r.results.size() == 3);
        assertThat(r.meta.calls()).hasSize(1);
        assertThat(r.side.sender.lateStarts()).isEqualTo(4);
        assertThat(r.results.stream().filter(a -> a.outcome() == Outcome.DEFERRED)).hasSize(2)
                .allSatisfy(a -> assertThat(a.error().code()).isEqualTo(OutboxErrorCodes.ORG_THROTTLED));
    }

    @Test
    void aStartLateOnceIsSentFromItsNewSlot() throws Exception {
        ReservedSlots r = slotsReserved(2, 2);
        r.clock.set(r.claimedAt.plusSeconds(10));

        Eventually.await("two results", WAIT, () -> r.results.size() == 2);
        assertThat(r.side.sender.lateStarts()).isEqualTo(1);
        assertThat(r.meta.calls()).hasSize(2);
        assertThat(r.results).extracting(AttemptResult::outcome).containsOnly(Outcome.SENT);
    }

    private record ReservedSlots(MutableClock clock, Instant claimedAt, ScriptedProvider meta, SendSide side,
            List<AttemptResult> results) {}

    /**
     * {@code messages} of one number sending {@code rate} a second, handed to the sender on one
     * send thread, returned once every slot is reserved: the first call started, the others waiting
     * on the pacing thread for their slots, the clock not moved.
     */
    private ReservedSlots slotsReserved(int messages, int rate) throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T09:00:00Z"));
        InMemoryStore store = new InMemoryStore(clock).grantEveryone().sender("org-a", "111");
        for (int i = 1; i <= messages; i++) {
            store.enqueue(Requests.template("org-a", i), clock.instant());
        }
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous();
        ExecutorService oneThread = Executors.newSingleThreadExecutor();
        oneThreads.add(oneThread);
        SendSide side = sendSide(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).clock(clock)
                .messagesPerSecond("111", rate).executor(oneThread));
        Instant claimedAt = clock.instant();
        List<ClaimedMessage> batch = store.claim("test:1", messages, Duration.ofMinutes(2), claimedAt, ClaimShare.ALL);
        List<AttemptResult> results = new CopyOnWriteArrayList<>();
        side.sender.process(batch, claimedAt, results::add);
        // the one send thread reserves every slot before it runs anything else
        oneThread.submit(() -> { }).get(10, TimeUnit.SECONDS);
        return new ReservedSlots(clock, claimedAt, meta, side, results);
    }

    @Test
    void noCallStartsAfterTheMessagesLastCallStart() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T09:00:00Z"));
        InMemoryStore store = new InMemoryStore(clock).grantEveryone();
        long id = store.enqueue(Requests.template("org-1", 1), clock.instant()).id();
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous();
        SendSide side = sendSide(Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).clock(clock));
        Instant claimedAt = clock.instant();
        List<ClaimedMessage> batch = store.claim("test:1", 1, Duration.ofMinutes(2), claimedAt, ClaimShare.ALL);
        clock.set(side.lease.lastCallStart(claimedAt).plusMillis(1));
        List<AttemptResult> results = new CopyOnWriteArrayList<>();

        side.sender.process(batch, claimedAt, results::add);

        Eventually.await("a result", WAIT, () -> results.size() == 1);
        assertThat(meta.callsFor(id)).isZero();
        assertThat(results.get(0).error().code()).isEqualTo(OutboxErrorCodes.LEASE_ENDING);
    }
}

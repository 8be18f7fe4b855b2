package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.store.QueueSnapshot;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.InMemoryStore;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a host's {@link OutboxListener} hears of a dispatch over the in-memory store. */
class OutboxListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<Dispatcher> dispatchers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        dispatchers.forEach(Dispatcher::close);
    }

    /** Keeps every event it hears. */
    static final class Recording implements OutboxListener {
        final List<Object> events = new CopyOnWriteArrayList<>();

        @Override
        public void onClaim(Claimed claim) {
            events.add(claim);
        }

        @Override
        public void onAttempt(Attempted attempt) {
            events.add(attempt);
        }

        @Override
        public void onDeferral(Deferred deferral) {
            events.add(deferral);
        }

        @Override
        public void onDeadLetter(DeadLettered deadLetter) {
            events.add(deadLetter);
        }

        @Override
        public void onDelivery(Delivered delivery) {
            events.add(delivery);
        }

        @Override
        public void onFallbacksCreated(int count) {
            events.add("fallbacks:" + count);
        }

        @Override
        public void onProviderSwitch(ProviderSwitched change) {
            events.add(change);
        }

        @Override
        public void onCircuitStateChange(CircuitStateChanged change) {
            events.add(change);
        }

        @Override
        public void onLeasesRecovered(int count) {
            events.add("leases:" + count);
        }

        @Override
        public void onQueueSnapshot(QueueSnapshot snapshot) {
            events.add(snapshot);
        }

        <T> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    /** Throws on every event. */
    static final class Throwing implements OutboxListener {
        @Override
        public void onClaim(Claimed claim) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void onAttempt(Attempted attempt) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void onDeferral(Deferred deferral) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void onDeadLetter(DeadLettered deadLetter) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void onProviderSwitch(ProviderSwitched change) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void onCircuitStateChange(CircuitStateChanged change) {
            throw new AssertionError("listener broken");
        }
    }

    private Dispatcher started(Dispatcher.Builder b) {
        Dispatcher d = b.retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(10)).build())
                .pollInterval(Duration.ofMillis(10)).maintenanceInterval(Duration.ofMillis(50))
                .closeTimeout(Duration.ofSeconds(10)).build();
        dispatchers.add(d);
        d.start();
        return d;
    }

    /**
     * org-1's messages go to a primary that is down (its circuit opens, sends switch to the
     * secondary), one is refused for good, one fails once; org-2 has quota for one message only.
     */
    private static Dispatcher.Builder eventfulDispatch(InMemoryStore store, Recording recording) {
        ScriptedProvider primary = new ScriptedProvider("primary", ErrorCatalogue.meta())
                .otherwise(ScriptedProvider.error("131016", 503));
        ScriptedProvider secondary = new ScriptedProvider("secondary", ErrorCatalogue.meta())
                .script(Requests.phone(3), ScriptedProvider.error("131026", 400))
                .script(Requests.phone(4), ScriptedProvider.error("131000", 500));
        return Dispatcher.builder(store).provider(Channel.WHATSAPP, primary, secondary).webhookStore(store)
                .listener(recording).concurrency(1).batchSize(10)
                .circuitBreaker(CircuitBreakerSettings.defaults().withSlidingWindow(2, 2).withOpenFor(Duration.ofMinutes(10)));
    }

    private static void enqueueEventful(InMemoryStore store) {
        Instant now = Instant.now();
        for (int i = 1; i <= 6; i++) {
            store.enqueue(Requests.template("org-1", i), now);
        }
        store.enqueue(Requests.template("org-2", 7), now);
        store.enqueue(Requests.template("org-2", 8), now);
    }

    private static boolean settled(InMemoryStore store) {
        return store.count(MessageStatus.SENT) + store.count(MessageStatus.DELIVERED) == 6
                && store.count(MessageStatus.FAILED) == 1;
    }

    @Test
    void aHostListenerHearsTheSendsRetriesDeadLettersDeferralsAndTheProviderSwitchOfADispatch() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone().quota("org-2", 1, Duration.ofHours(1));
        enqueueEventful(store);
        Recording recording = new Recording();
        Dispatcher d = started(eventfulDispatch(store, recording));

        Eventually.await("six sent, one dead-lettered, one waiting for the quota", WAIT, () -> settled(store));
        String sentId = store.messages().stream().filter(m -> m.status() == MessageStatus.SENT).findFirst().orElseThrow()
                .providerMessageId();
        d.webhooks().accept(new WebhookBatch("meta", List.of(new DeliveryReceipt(Channel.WHATSAPP, sentId,
                DeliveryStatus.DELIVERED, Instant.now(), null, "org-1")), List.of()));
        d.runMaintenance();

        List<OutboxListener.Attempted> attempts = recording.of(OutboxListener.Attempted.class);
        assertThat(attempts).filteredOn(a -> a.outcome() == Outcome.SENT).hasSize(6)
                .allSatisfy(a -> {
                    assertThat(a.provider()).isEqualTo("secondary");
                    assertThat(a.errorCode()).isNull();
                    assertThat(a.sinceDue().isNegative()).isFalse();
                });
        assertThat(attempts).filteredOn(a -> a.outcome() == Outcome.RETRY).extracting(OutboxListener.Attempted::errorCode)
                .contains("131016", "131000");
        assertThat(attempts).filteredOn(a -> a.outcome() == Outcome.DEAD_LETTER).singleElement()
                .satisfies(a -> assertThat(a.errorCode()).isEqualTo("131026"));
        assertThat(recording.of(OutboxListener.DeadLettered.class)).singleElement().satisfies(dl -> {
            assertThat(dl.provider()).isEqualTo("secondary");
            assertThat(dl.category()).isEqualTo(ErrorCategory.UNDELIVERABLE);
        });
        assertThat(recording.of(OutboxListener.Deferred.class)).singleElement().satisfies(def -> {
            assertThat(def.errorCode()).isEqualTo(OutboxErrorCodes.QUOTA_EXHAUSTED);
            assertThat(def.delay()).isPositive();
        });
        assertThat(recording.of(OutboxListener.ProviderSwitched.class))
                .contains(new OutboxListener.ProviderSwitched(Channel.WHATSAPP, "primary", "secondary"));
        assertThat(recording.of(OutboxListener.CircuitStateChanged.class)).contains(new OutboxListener.CircuitStateChanged(
                Channel.WHATSAPP, "primary", OutboxListener.CircuitState.CLOSED, OutboxListener.CircuitState.OPEN));
        // the health a host's check reads: the primary's breaker no longer closed, in failover order
        assertThat(d.health().breakers()).containsOnlyKeys("WHATSAPP/primary", "WHATSAPP/secondary")
                .hasEntrySatisfying("WHATSAPP/primary", state -> assertThat(state)
                        .isIn(OutboxListener.CircuitState.OPEN, OutboxListener.CircuitState.HALF_OPEN));
        assertThat(recording.of(OutboxListener.Claimed.class).stream().mapToInt(OutboxListener.Claimed::count).sum())
                .isEqualTo(attempts.size() + 1);
        assertThat(recording.of(OutboxListener.Delivered.class)).singleElement()
                .satisfies(del -> assertThat(del.channel()).isEqualTo(Channel.WHATSAPP));
        assertThat(recording.of(QueueSnapshot.class)).isNotEmpty();
        // the events carry no phone number and no body
        assertThat(recording.events).allSatisfy(e -> assertThat(e.toString()).doesNotContain("+336", "lundi"));
    }

    @Test
    void aListenerThatThrowsStopsNoSendAndNoOtherListener() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone().quota("org-2", 1, Duration.ofHours(1));
        enqueueEventful(store);
        Recording after = new Recording();
        started(eventfulDispatch(store, new Recording()).listener(new Throwing()).listener(after));

        Eventually.await("six sent, one dead-lettered, one waiting for the quota", WAIT, () -> settled(store));
        assertThat(after.of(OutboxListener.Attempted.class)).filteredOn(a -> a.outcome() == Outcome.SENT).hasSize(6);
        assertThat(after.of(OutboxListener.DeadLettered.class)).hasSize(1);
        assertThat(after.of(OutboxListener.ProviderSwitched.class)).isNotEmpty();
    }

    @Test
    void theMetersKeepTheRunbooksNamesWithHostListenersBeside() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone().quota("org-2", 1, Duration.ofHours(1));
        enqueueEventful(store);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Dispatcher d = started(eventfulDispatch(store, new Recording()).listener(new Throwing()).meterRegistry(registry));

        Eventually.await("six sent, one dead-lettered, one waiting for the quota", WAIT, () -> settled(store));
        d.runMaintenance();
        String text = registry.scrape();
        assertThat(text).contains("outbound_message_sent_total{channel=\"WHATSAPP\"} 6.0")
                .contains("outbound_message_failures_total{channel=\"WHATSAPP\",error_code=\"131026\"} 1.0")
                .contains("outbound_message_failures_total{channel=\"WHATSAPP\",error_code=\"131016\"} 2.0")
                .contains("outbound_message_failures_total{channel=\"WHATSAPP\",error_code=\"131000\"} 1.0")
                .contains("outbound_provider_switches_total{channel=\"WHATSAPP\",from=\"primary\",to=\"secondary\"} 1.0")
                .contains("whatsapp_rate_limit_hits_total{reason=\"quota\"} 1.0")
                .contains("outbound_message_dispatch_duration_seconds_count{channel=\"WHATSAPP\"} 6")
                .contains("outbound_message_queue_depth{status=\"QUEUED\"} 1.0")
                .contains("outbound_message_dlq_size{channel=\"WHATSAPP\"} 1.0")
                .contains("outbound_message_stuck_total{status=\"QUEUED\"} 0.0");
    }
}

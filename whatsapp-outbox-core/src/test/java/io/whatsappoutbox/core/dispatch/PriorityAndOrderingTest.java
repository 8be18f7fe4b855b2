package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.Priority;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.InMemoryStore;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Priority inside an org and order per key, through the dispatcher over the in-memory store. */
class PriorityAndOrderingTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T09:00:00Z"));
    final InMemoryStore store = new InMemoryStore(clock).grantEveryone();
    final ScriptedProvider meta = ScriptedProvider.whatsapp();
    Dispatcher dispatcher;

    @AfterEach
    void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    void start(int batchSize) {
        dispatcher = Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).clock(clock).batchSize(batchSize)
                .concurrency(1).storeThreads(1).lease(Duration.ofMinutes(10))
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMinutes(1)).maxDelay(Duration.ofMinutes(1))
                        .random(() -> 0.5).build())
                .pollInterval(Duration.ofMillis(10)).maintenanceInterval(Duration.ofMillis(20)).build();
        dispatcher.start();
    }

    static OutboundMessageRequest message(String org, int n, Priority priority, String key) {
        return OutboundMessageRequest.whatsapp(org, Requests.phone(n)).template("appointment_reminder", "fr", "lundi")
                .idempotencyKey(org + "-" + n).priority(priority).orderingKey(key).build();
    }

    List<Long> callOrder() {
        return meta.calls().stream().map(OutboundMessage::id).toList();
    }

    @Test
    void highGoesBeforeTheBacklogQueuedBeforeItAndLowAfterEveryNormal() {
        for (int i = 0; i < 6; i++) {
            store.enqueue(message("org-1", i, Priority.LOW, null), clock.instant());
            store.enqueue(message("org-1", 100 + i, Priority.NORMAL, null), clock.instant());
        }
        long urgent = store.enqueue(message("org-1", 200, Priority.HIGH, null), clock.instant()).id();
        store.enqueue(message("org-2", 300, Priority.NORMAL, null), clock.instant());
        store.enqueue(message("org-2", 301, Priority.NORMAL, null), clock.instant());

        start(4);

        Eventually.await("all sent", WAIT, () -> meta.calls().size() == 15);
        // the other org's lane may be claimed by another claim thread at the same time: org-1's own order counts
        List<OutboundMessage> org1 = meta.calls().stream().filter(m -> m.orgId().equals("org-1")).toList();
        assertThat(org1.get(0).id()).as("HIGH ahead of the backlog queued before it").isEqualTo(urgent);
        assertThat(org1.subList(0, 7)).as("every HIGH and NORMAL before any LOW")
                .noneMatch(m -> m.priority() == Priority.LOW);
        assertThat(org1.subList(7, 13)).allMatch(m -> m.priority() == Priority.LOW);
    }

    @Test
    void aKeysSecondMessageWaitsForTheFirstAcrossItsRetryAndADeadLetterReleasesIt() {
        meta.script(Requests.phone(1), ScriptedProvider.error("131000", 500), meta::accept);
        meta.script(Requests.phone(3), ScriptedProvider.error("131026", 400));
        long confirmed = store.enqueue(message("org-1", 1, Priority.NORMAL, "dossier-7"), clock.instant()).id();
        long cancelled = store.enqueue(message("org-1", 2, Priority.NORMAL, "dossier-7"), clock.instant()).id();
        long unreachable = store.enqueue(message("org-1", 3, Priority.NORMAL, "dossier-8"), clock.instant()).id();
        long next = store.enqueue(message("org-1", 4, Priority.NORMAL, "dossier-8"), clock.instant()).id();

        start(10);
        Eventually.await("the first of each key called", WAIT,
                () -> meta.callsFor(confirmed) == 1 && store.message(unreachable).status() == MessageStatus.FAILED);
        Eventually.await("the dead letter released its key", WAIT, () -> meta.callsFor(next) == 1);
        assertThat(meta.callsFor(cancelled)).as("waits while the first is retried").isZero();

        clock.advance(Duration.ofMinutes(2));
        Eventually.await("the retry, then the second", WAIT, () -> meta.callsFor(cancelled) == 1);
        List<Long> order = callOrder();
        assertThat(order.lastIndexOf(confirmed)).isLessThan(order.indexOf(cancelled));
        assertThat(order.indexOf(unreachable)).isLessThan(order.indexOf(next));
    }
}

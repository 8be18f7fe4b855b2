package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Priority;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Priority inside an org's lane and conversation order per key, on PostgreSQL's claim. */
class PriorityAndOrderingTest {
    static final Instant T0 = Instant.parse("2026-12-02T09:00:00Z");
    final MutableClock clock = new MutableClock(T0);
    HikariDataSource ds;
    JdbcOutbox outbox;
    DispatchStore store;
    final ScriptedProvider meta = ScriptedProvider.whatsapp();
    final List<Dispatcher> dispatchers = new ArrayList<>();

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.of("k1", new byte[32])).clock(clock)
                .storeClock(StoreClock.CALLER).build();
        store = outbox.dispatchStore();
        for (String org : List.of("org-1", "org-2")) {
            outbox.providerConfigs().save(new ProviderConfig(org, org.equals("org-1") ? "111" : "222", "1029384756",
                    Secret.of("token-" + org), Secret.of("secret-" + org), true, null), "test");
        }
    }

    @AfterEach
    void stop() {
        dispatchers.forEach(Dispatcher::close);
        ds.close();
    }

    long enqueue(String org, int n, Priority priority, String orderingKey) {
        outbox.consents().grant(org, PhoneNumber.of(Requests.phone(n)), Channel.WHATSAPP, "test", "test");
        return outbox.enqueue(OutboundMessageRequest.whatsapp(org, Requests.phone(n))
                .template("appointment_reminder", "fr", "lundi " + n).idempotencyKey(org + "-" + n)
                .priority(priority).orderingKey(orderingKey).build()).message().id();
    }

    void backlog(String org, int from, int count, Priority priority) {
        List<OutboundMessageRequest> batch = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            batch.add(OutboundMessageRequest.whatsapp(org, Requests.phone(i)).template("new_listing", "fr", "T" + i)
                    .idempotencyKey(org + "-" + i).priority(priority).build());
        }
        outbox.enqueueAll(batch);
    }

    List<Long> claim(String owner, int batch) {
        return store.claim(owner, batch, Duration.ofMinutes(2), clock.instant()).stream()
                .map(c -> c.message().id()).toList();
    }

    Dispatcher dispatcher(String instance) {
        Dispatcher d = outbox.dispatcher().provider(Channel.WHATSAPP, meta).instanceId(instance)
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMinutes(1)).maxDelay(Duration.ofMinutes(1))
                        .random(() -> 0.99).build())
                .closeTimeout(Duration.ofSeconds(10)).build();
        dispatchers.add(d);
        return d;
    }

    OutboundMessage message(String org, long id) {
        return outbox.find(org, id).orElseThrow();
    }

    @Test
    void aHighMessageOvertakesItsOrgsBacklogButNotAnotherOrgsShare() {
        backlog("org-1", 0, 300, Priority.NORMAL);
        backlog("org-2", 1000, 5, Priority.NORMAL);
        clock.advance(Duration.ofSeconds(1));
        long urgent = enqueue("org-1", 2000, Priority.HIGH, null);

        List<ClaimedMessage> claimed = store.claim("node-a:1", 10, Duration.ofMinutes(2), clock.instant());
        assertThat(claimed).extracting(c -> c.message().id()).contains(urgent);
        // the other org keeps its half of the claim
        assertThat(claimed.stream().filter(c -> c.message().orgId().equals("org-2"))).hasSize(5);
        assertThat(claimed.stream().filter(c -> c.message().orgId().equals("org-1"))).hasSize(5);
        assertThat(claimed.get(0).message().id()).as("HIGH first in the batch").isEqualTo(urgent);
        assertThat(claimed.get(0).message().priority()).isEqualTo(Priority.HIGH);
    }

    @Test
    void lowMessagesWaitForTheOrgsNormalOnes() {
        backlog("org-1", 0, 5, Priority.LOW);
        clock.advance(Duration.ofSeconds(1));
        backlog("org-1", 100, 3, Priority.NORMAL);

        List<ClaimedMessage> first = store.claim("node-a:1", 3, Duration.ofMinutes(2), clock.instant());
        assertThat(first).allSatisfy(c -> assertThat(c.message().priority()).isEqualTo(Priority.NORMAL));
        List<ClaimedMessage> next = store.claim("node-a:1", 3, Duration.ofMinutes(2), clock.instant());
        assertThat(next).hasSize(3).allSatisfy(c -> assertThat(c.message().priority()).isEqualTo(Priority.LOW));
    }

    @Test
    void aMessageWaitsWhileAnEarlierOneOfItsKeyIsQueuedOrBeingSentEvenByAnotherDispatcher() {
        long confirmed = enqueue("org-1", 1, Priority.NORMAL, "dossier-9");
        long cancelled = enqueue("org-1", 2, Priority.HIGH, "dossier-9");
        long other = enqueue("org-1", 3, Priority.NORMAL, "dossier-7");

        assertThat(claim("node-a:1", 10)).containsExactlyInAnyOrder(confirmed, other);
        // the first is being sent by node-a: node-b does not take the second
        assertThat(claim("node-b:1", 10)).isEmpty();
    }

    @Test
    void orderHoldsAcrossARetryAndADeadLetterReleasesTheNext() {
        meta.script(Requests.phone(1), ScriptedProvider.error("131000", 500));
        long confirmed = enqueue("org-1", 1, Priority.NORMAL, "dossier-9");
        long cancelled = enqueue("org-1", 2, Priority.NORMAL, "dossier-9");
        Dispatcher a = dispatcher("a");
        Dispatcher b = dispatcher("b");

        a.dispatchOnce();
        assertThat(message("org-1", confirmed).status().name()).isEqualTo("QUEUED");
        b.dispatchOnce();
        assertThat(meta.callsFor(cancelled)).as("waits behind the retry").isZero();

        clock.advance(Duration.ofMinutes(2));
        b.dispatchOnce();
        assertThat(message("org-1", confirmed).status().name()).isEqualTo("SENT");
        a.dispatchOnce();
        assertThat(message("org-1", cancelled).status().name()).isEqualTo("SENT");
        assertThat(meta.calls()).extracting(OutboundMessage::id).containsSubsequence(confirmed, confirmed, cancelled);

        meta.script(Requests.phone(4), ScriptedProvider.error("131026", 400));
        long undeliverable = enqueue("org-1", 4, Priority.NORMAL, "dossier-5");
        long next = enqueue("org-1", 5, Priority.NORMAL, "dossier-5");
        a.dispatchOnce();
        assertThat(message("org-1", undeliverable).status().name()).isEqualTo("FAILED");
        a.dispatchOnce();
        assertThat(message("org-1", next).status().name()).isEqualTo("SENT");
    }

    @Test
    void anOrderingKeyBreakingItsRuleIsRefusedNamingTheField() {
        assertThatThrownBy(() -> OutboundMessageRequest.whatsapp("org-1", Requests.phone(1)).text("hi")
                .orderingKey("with space").build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("orderingKey");
        assertThatThrownBy(() -> OutboundMessageRequest.whatsapp("org-1", Requests.phone(1)).text("hi")
                .orderingKey("k".repeat(129)).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("orderingKey");
    }
}

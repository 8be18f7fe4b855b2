package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.store.SendSlots;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pacing shared by every dispatcher on one database: three instances sending from one number keep
 * its rate together, each message sent once.
 */
class SharedPacingTest {
    static final int RATE = 20;
    static final int MESSAGES = 80;
    /** Windows aligned to the clock's seconds; the lateness a message may start with adds a share of the rate. */
    static final int MOST_PER_SECOND = (int) Math.floor(1.05 * RATE);

    HikariDataSource ds;
    Sql sql;
    final List<JdbcOutbox> outboxes = new ArrayList<>();
    final List<Dispatcher> dispatchers = new ArrayList<>();
    final Queue<Call> calls = new ConcurrentLinkedQueue<>();

    record Call(long messageId, Instant at, String instance) {}

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        sql = new Sql(ds);
    }

    @AfterEach
    void stop() {
        dispatchers.forEach(Dispatcher::close);
        ds.close();
    }

    /** A provider that accepts every message and records when it was called, and by which instance. */
    final class RecordingProvider implements MessageProvider {
        private final String instance;
        private final boolean asynchronous;

        RecordingProvider(String instance, boolean asynchronous) {
            this.instance = instance;
            this.asynchronous = asynchronous;
        }

        @Override
        public SendResult send(OutboundMessage message) {
            calls.add(new Call(message.id(), Instant.now(), instance));
            return SendResult.accepted("wamid." + message.id() + "." + instance);
        }

        @Override
        public CompletionStage<SendResult> sendAsync(OutboundMessage message) {
            return CompletableFuture.completedFuture(send(message));
        }

        @Override
        public boolean isAsynchronous() {
            return asynchronous;
        }

        @Override
        public String name() {
            return "meta";
        }
    }

    JdbcOutbox outbox(boolean shared) {
        JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.of("k1", new byte[32]))
                .sharedPacing(shared).build();
        outboxes.add(outbox);
        return outbox;
    }

    void campaign(boolean shared, boolean asynchronous) throws InterruptedException {
        JdbcOutbox first = outbox(shared);
        first.providerConfigs().save(new ProviderConfig("org-1", "111", null, Secret.of("token"), Secret.of("secret"),
                true, RATE), "test");
        sql.update("""
                INSERT INTO consentement (org_id, phone_number, channel, status, created_at, updated_at)
                SELECT 'org-1', '+336' || lpad(n::text, 8, '0'), 'WHATSAPP', 'GRANTED', now(), now()
                  FROM generate_series(1, %d) n""".formatted(MESSAGES));
        for (int n = 1; n <= MESSAGES; n++) {
            first.enqueue(Requests.template("org-1", n));
        }
        for (int i = 0; i < 3; i++) {
            JdbcOutbox outbox = i == 0 ? first : outbox(shared);
            // small batches, so that every instance claims a share of the campaign
            dispatchers.add(outbox.dispatcher().provider(Channel.WHATSAPP, new RecordingProvider("i" + i, asynchronous)).instanceId("i" + i).batchSize(10)
                    .closeTimeout(Duration.ofSeconds(10)).build());
        }
        dispatchers.forEach(Dispatcher::start);
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENT'") < MESSAGES
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    @Test
    void threeInstancesKeepOneNumbersRateTogetherOnSendThreads() throws InterruptedException {
        campaign(true, false);
        assertPacedAndSentOnce();
    }

    @Test
    void threeInstancesKeepOneNumbersRateTogetherWithAsynchronousCalls() throws InterruptedException {
        campaign(true, true);
        assertPacedAndSentOnce();
    }

    void assertPacedAndSentOnce() {
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENT'")).isEqualTo(MESSAGES);
        Map<Long, Long> perMessage = calls.stream().collect(Collectors.groupingBy(Call::messageId, Collectors.counting()));
        assertThat(perMessage).hasSize(MESSAGES);
        assertThat(perMessage.values()).allMatch(n -> n == 1);
        assertThat(calls.stream().map(Call::instance).distinct().count()).as("instances that sent").isGreaterThan(1);
        Map<Long, Long> perSecond = new TreeMap<>(calls.stream()
                .collect(Collectors.groupingBy(c -> c.at().getEpochSecond(), Collectors.counting())));
        assertThat(perSecond.values()).as("sends per second " + perSecond).allMatch(n -> n <= MOST_PER_SECOND);
        // and the number was kept busy: the campaign took about MESSAGES / RATE seconds, not far more
        List<Instant> at = calls.stream().map(Call::at).sorted().toList();
        assertThat(Duration.between(at.get(0), at.get(at.size() - 1))).isLessThan(
                Duration.ofSeconds(MESSAGES / RATE * 3));
    }

    @Test
    void positionsOfOneNumberNeverOverlapAndStopAtTheWait() {
        JdbcOutbox outbox = outbox(true);
        Instant now = Instant.parse("2026-12-01T10:00:00.250Z");
        var store = outbox.dispatchStore();
        Map<String, SendSlots> a = store.reserveSendSlots(Map.of("111", 30, "222", 5), Map.of("111", 20, "222", 80),
                Duration.ofSeconds(5), now);
        Map<String, SendSlots> b = store.reserveSendSlots(Map.of("111", 100), Map.of("111", 20), Duration.ofSeconds(5),
                now.plusMillis(100));
        assertThat(a.get("111")).isEqualTo(new SendSlots(now, 30, 20));
        assertThat(a.get("222")).isEqualTo(new SendSlots(now, 5, 80));
        // the second batch starts where the first ended, and gets what is left of the 5 s
        assertThat(b.get("111").first()).isEqualTo(now.plusMillis(1500));
        assertThat(b.get("111").count()).isEqualTo(72);
        Map<String, SendSlots> none = store.reserveSendSlots(Map.of("111", 10), Map.of("111", 20),
                Duration.ofSeconds(5), now.plusMillis(100));
        assertThat(none.get("111").count()).isZero();
        // a number idle since: from now again
        Map<String, SendSlots> later = store.reserveSendSlots(Map.of("111", 10), Map.of("111", 20),
                Duration.ofSeconds(5), now.plusSeconds(60));
        assertThat(later.get("111")).isEqualTo(new SendSlots(now.plusSeconds(60), 10, 20));
    }

    @Test
    void aStoreThatSharesNoPacingAnswersNothing() {
        assertThat(outbox(false).dispatchStore().reserveSendSlots(Map.of("111", 3), Map.of("111", 20),
                Duration.ofSeconds(5), Instant.now())).isEmpty();
    }
}

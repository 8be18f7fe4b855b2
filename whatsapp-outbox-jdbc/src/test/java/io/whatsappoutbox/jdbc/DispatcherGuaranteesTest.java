package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.dispatch.DispatcherHealth;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the dispatcher promises when the provider is slow, host code throws, or sends are paced. */
class DispatcherGuaranteesTest {
    static final Duration WAIT = Duration.ofSeconds(90);
    HikariDataSource ds;
    JdbcOutbox outbox;
    Sql sql;
    ScriptedProvider meta;
    final List<Dispatcher> dispatchers = new ArrayList<>();

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).build();
        sql = new Sql(ds);
        meta = ScriptedProvider.whatsapp();
    }

    @AfterEach
    void stop() {
        dispatchers.forEach(Dispatcher::close);
        ds.close();
    }

    Dispatcher started(Dispatcher.Builder b) {
        Dispatcher d = b.build();
        dispatchers.add(d);
        d.start();
        return d;
    }

    List<Long> enqueue(String org, int n) {
        return IntStream.range(0, n).mapToObj(i -> {
            outbox.consents().grant(org, PhoneNumber.of(Requests.phone(i)), Channel.WHATSAPP, "test", "test");
            return outbox.enqueue(Requests.template(org, i)).message().id();
        }).toList();
    }

    long count(String where) {
        return ((Number) sql.one("SELECT count(*) FROM outbound_message WHERE " + where)).longValue();
    }

    @Test
    void aSlowProviderGetsEachMessageOnceWhenMoreIsClaimedThanTheSendSlotsCanSendWithinALease() {
        // the audit's case: a lease holds 5 calls per slot, the defaults claim 60 at once
        List<Long> ids = enqueue("org-1", 60);
        meta.callTimeout(Duration.ofSeconds(1)).otherwise(meta.hangThenAccept(Duration.ofMillis(600)));
        started(outbox.dispatcher().provider(Channel.WHATSAPP, meta)
                .concurrency(2).lease(Duration.ofSeconds(3)).closeTimeout(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(20)).maintenanceInterval(Duration.ofMillis(100)));

        Eventually.await("every message settled", WAIT, () -> count("status IN ('SENT', 'FAILED')") == 60);

        assertThat(meta.calls()).as("provider calls").hasSize(60);
        assertThat(ids).allSatisfy(id -> assertThat(meta.callsFor(id)).as("calls for message %d", id).isEqualTo(1));
        assertThat(count("status = 'SENT'")).isEqualTo(60);
        // a message given back unsent spent no attempt
        assertThat(count("attempt_count <> 1")).isZero();
    }

    @Test
    void aLeaseThatCannotHoldOneProviderCallIsRefused() {
        meta.callTimeout(Duration.ofSeconds(20));
        assertThatThrownBy(() -> outbox.dispatcher().provider(Channel.WHATSAPP, meta)
                .lease(Duration.ofSeconds(21)).closeTimeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("lease").hasMessageContaining("scripted-meta");
        assertThat(outbox.dispatcher().provider(Channel.WHATSAPP, meta)
                .lease(Duration.ofSeconds(30)).closeTimeout(Duration.ofSeconds(5)).build()).isNotNull();
    }

    @Test
    void aFallbackRuleThatThrowsCostsOnlyItsMessageAndTheDispatcherKeepsClaiming() {
        int maxInFlight = 4;
        List<Long> ids = enqueue("org-1", 3 * maxInFlight);
        meta.otherwise(ScriptedProvider.error("131026", 400)); // undeliverable: dead letter, asks the fallback rules
        FallbackRules throwing = FallbackRules.of(FallbackRule.forMessages("a host bug", m -> {
            throw new IllegalStateException("host predicate bug");
        }).onDeadLetter(ErrorCategory.UNDELIVERABLE).smsText(m -> "sms"));
        Dispatcher d = started(outbox.dispatcher().provider(Channel.WHATSAPP, meta).fallbackRules(throwing)
                .batchSize(2).maxInFlight(maxInFlight).storeThreads(1)
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(20)).build())
                .pollInterval(Duration.ofMillis(20)).maintenanceInterval(Duration.ofMillis(100))
                .closeTimeout(Duration.ofSeconds(5)));

        Eventually.await("every message dead-lettered", WAIT, () -> count("status = 'FAILED'") == ids.size());

        assertThat(count("error_code = '" + OutboxErrorCodes.DISPATCH_FAILED + "' AND status = 'FAILED'"))
                .isEqualTo(ids.size());
        // retried until its attempts were used up, each attempt recorded
        assertThat(ids).allSatisfy(id -> assertThat(outbox.attempts("org-1", id))
                .hasSize(outbox.find("org-1", id).orElseThrow().maxAttempts()));
        assertThat(count("fallback_of IS NOT NULL")).isZero();
        Eventually.await("every permit back", WAIT, () -> d.health().permitsFree() == maxInFlight);
        DispatcherHealth health = d.health();
        assertThat(health.running()).isTrue();
        assertThat(health.maxInFlight()).isEqualTo(maxInFlight);
        assertThat(health.lastClaimAt()).isNotNull();
        assertThat(health.lastWriteAt()).isNotNull();
        d.close();
        assertThat(d.health().running()).isFalse();
    }

    @Test
    void theQuotaCountsWhatWasSentNotWhatWasReserved() {
        sql.update("INSERT INTO whatsapp_rate_limit (org_id, messages_sent_count, quota_limit, reset_at, created_at,"
                + " updated_at) VALUES ('org-1', 0, 20, now() + interval '1 day', now(), now())");
        enqueue("org-1", 10);
        // one send per second and little wait for it: most of each batch is deferred by the pacing
        started(outbox.dispatcher().provider(Channel.WHATSAPP, meta)
                .messagesPerSecond(1).pacingWait(Duration.ofMillis(100))
                .pollInterval(Duration.ofMillis(20)).maintenanceInterval(Duration.ofMillis(100))
                .closeTimeout(Duration.ofSeconds(5)));

        Eventually.await("every message sent", WAIT, () -> count("status = 'SENT'") == 10);

        Eventually.await("the quota counts the 10 sends", WAIT,
                () -> ((Number) sql.one("SELECT messages_sent_count FROM whatsapp_rate_limit")).longValue() == 10);
        assertThat(meta.calls()).hasSize(10);
    }
}

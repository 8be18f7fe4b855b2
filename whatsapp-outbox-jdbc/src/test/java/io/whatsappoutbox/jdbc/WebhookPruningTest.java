package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook deduplication keys and waiting receipts live as long as the dedup window, not for ever. */
class WebhookPruningTest {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    HikariDataSource ds;
    Sql sql;
    final MutableClock clock = new MutableClock(T0);

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        sql = new Sql(ds);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    void events(String prefix, int n, Instant receivedAt) {
        sql.update("INSERT INTO webhook_event (event_key, received_at) SELECT ? || g, ? FROM generate_series(1, ?) g",
                prefix, java.sql.Timestamp.from(receivedAt), n);
    }

    void pending(String pid, Instant receivedAt) {
        sql.update("INSERT INTO pending_receipt (provider_message_id, channel, org_id, status, occurred_at, received_at)"
                + " VALUES (?, 'WHATSAPP', 'org-1', 'DELIVERED', ?, ?)", pid, java.sql.Timestamp.from(receivedAt),
                java.sql.Timestamp.from(receivedAt));
    }

    Dispatcher dispatcher(JdbcOutbox outbox) {
        return outbox.dispatcher().provider(Channel.WHATSAPP, ScriptedProvider.whatsapp()).build();
    }

    @Test
    void maintenanceForgetsWhatIsOlderThanMetasSevenDaysOfRedelivery() {
        events("old:", 2_500, T0.minus(Duration.ofDays(8)));
        events("recent:", 3, T0.minus(Duration.ofDays(6)));
        pending("wamid.old", T0.minus(Duration.ofDays(8)));
        pending("wamid.recent", T0.minus(Duration.ofHours(1)));
        try (JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).clock(clock).build();
                Dispatcher d = dispatcher(outbox)) {
            d.runMaintenance();
        }
        assertThat(sql.count("SELECT count(*) FROM webhook_event WHERE event_key LIKE 'old:%'")).isZero();
        assertThat(sql.count("SELECT count(*) FROM webhook_event WHERE event_key LIKE 'recent:%'")).isEqualTo(3);
        assertThat(sql.count("SELECT count(*) FROM pending_receipt WHERE provider_message_id = 'wamid.old'")).isZero();
        assertThat(sql.count("SELECT count(*) FROM pending_receipt WHERE provider_message_id = 'wamid.recent'"))
                .isEqualTo(1);
    }

    @Test
    void theWindowIsTheHostsToChoose() {
        events("two-days:", 5, T0.minus(Duration.ofDays(2)));
        events("hours:", 5, T0.minus(Duration.ofHours(20)));
        try (JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).clock(clock)
                .webhookDedupWindow(Duration.ofDays(1)).build()) {
            assertThat(outbox.webhookStore().pruneExpired(T0)).isEqualTo(5);
        }
        assertThat(sql.count("SELECT count(*) FROM webhook_event")).isEqualTo(5);
        assertThatThrownBy(() -> JdbcOutbox.builder().dataSource(ds).webhookDedupWindow(Duration.ofHours(1)).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("webhookDedupWindow");
    }
}

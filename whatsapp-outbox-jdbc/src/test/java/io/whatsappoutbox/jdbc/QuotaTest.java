package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.QuotaGrant;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QuotaTest {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    HikariDataSource ds;
    DispatchStore store;
    JdbcOutbox outbox;
    Sql sql;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).clock(new io.whatsappoutbox.core.testing.MutableClock(T0)).build();
        store = outbox.dispatchStore();
        sql = new Sql(ds);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    void quota(String org, long limit, long used, Instant resetAt) {
        sql.update("INSERT INTO whatsapp_rate_limit (org_id, messages_sent_count, quota_limit, reset_at, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, now(), now())", org, used, limit, OffsetDateTime.ofInstant(resetAt, java.time.ZoneOffset.UTC));
    }

    @Test
    void grantsWhatIsLeftAndSaysWhenTheRestMayGo() {
        quota("org-1", 1000, 990, T0.plusSeconds(3600));
        Map<String, QuotaGrant> grants = store.reserveQuota(Map.of("org-1", 25, "org-free", 40), T0);
        assertThat(grants.get("org-1")).isEqualTo(new QuotaGrant("org-1", 10, T0.plusSeconds(3600)));
        assertThat(grants.get("org-free")).isEqualTo(new QuotaGrant("org-free", 40, null));
        assertThat(sql.one("SELECT messages_sent_count FROM whatsapp_rate_limit")).isEqualTo(1000L);
    }

    @Test
    void givesBackWhatWasNotSentWithinThePeriodItWasReservedIn() {
        quota("org-1", 20, 0, T0.plusSeconds(3600));
        quota("org-2", 20, 0, T0.minusSeconds(1));
        store.reserveQuota(Map.of("org-1", 10, "org-2", 10), T0);
        store.releaseQuota(Map.of("org-1", 7, "org-2", 3), T0, T0.plusSeconds(1));
        assertThat(sql.rows("SELECT org_id, messages_sent_count FROM whatsapp_rate_limit ORDER BY org_id"))
                .extracting(r -> r.get("messages_sent_count")).containsExactly(3L, 7L);
        // a reservation of a period that has ended since is not taken off the next one
        store.releaseQuota(Map.of("org-1", 3), T0.minusSeconds(90_000), T0.plusSeconds(2));
        store.releaseQuota(Map.of("org-2", 7), T0, T0.plusSeconds(86_401));
        assertThat(sql.rows("SELECT org_id, messages_sent_count FROM whatsapp_rate_limit ORDER BY org_id"))
                .extracting(r -> r.get("messages_sent_count")).containsExactly(3L, 7L);
    }

    @Test
    void startsAFreshPeriodAfterTheReset() {
        quota("org-1", 100, 100, T0.minusSeconds(1));
        assertThat(store.reserveQuota(Map.of("org-1", 30), T0).get("org-1").granted()).isEqualTo(30);
        assertThat(sql.rows("SELECT messages_sent_count, reset_at FROM whatsapp_rate_limit").get(0))
                .containsEntry("messages_sent_count", 30L)
                .containsEntry("reset_at", Instant.parse("2026-11-29T10:00:00Z"));
    }

    @Test
    void concurrentReservationsNeverExceedTheQuota() throws Exception {
        quota("org-1", 1000, 0, T0.plusSeconds(3600));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> runs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int seed = t;
            runs.add(pool.submit(() -> {
                Random r = new Random(seed);
                int granted = 0;
                for (int i = 0; i < 60; i++) {
                    granted += store.reserveQuota(Map.of("org-1", 1 + r.nextInt(10)), T0).get("org-1").granted();
                }
                return granted;
            }));
        }
        int total = 0;
        for (Future<Integer> f : runs) {
            total += f.get();
        }
        pool.shutdown();
        assertThat(total).isEqualTo(1000);
        assertThat(sql.one("SELECT messages_sent_count FROM whatsapp_rate_limit")).isEqualTo(1000L);
    }

    @Test
    void anOrgOutOfQuotaIsNotClaimedOnWhatsApp() {
        quota("org-1", 10, 10, T0.plusSeconds(3600));
        outbox.enqueue(Requests.template("org-1", 1));
        outbox.enqueue(io.whatsappoutbox.core.OutboundMessageRequest.sms("org-1", Requests.phone(2)).text("sms")
                .idempotencyKey("sms-2").build());
        assertThat(store.claim("a", 10, Duration.ofMinutes(1), T0))
                .extracting(c -> c.message().channel().name()).containsExactly("SMS");
        assertThat(store.claim("a", 10, Duration.ofMinutes(1), T0.plusSeconds(3600))).hasSize(1);
    }
}

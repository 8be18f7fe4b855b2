package io.whatsappoutbox.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.OutboxMigrator;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL stopped in the middle of a run and started again on the same data directory and
 * port, with the host (its pool, its outbox, its dispatcher) left running: the dispatcher logs,
 * backs off and resumes, the pool reconnects by itself, and every message the host committed is
 * sent, once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DatabaseRestartTest {
    static final int MESSAGES = 2000;
    static final Duration OUTAGE = Duration.ofSeconds(4);
    static final Path DATA = Figures.DIR.resolve("pg-restart-data").toAbsolutePath();

    EmbeddedPostgres postgres;
    HikariDataSource pool;
    Dispatcher dispatcher;

    @AfterEach
    void stop() throws IOException {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static EmbeddedPostgres start(int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(DATA).setCleanDataDirectory(false).setPort(port)
                .setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off").start();
    }

    @Test
    void theDispatcherAndThePoolRideOutADatabaseRestartAndEveryCommittedMessageIsSentOnce() throws Exception {
        deleteData();
        int port = freePort();
        postgres = start(port);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        config.setUsername("postgres");
        config.setPassword("postgres");
        config.setMaximumPoolSize(8);
        config.setConnectionTimeout(1000); // callers fail fast during the outage, and retry
        config.setPoolName("restart-test");
        config.addDataSourceProperty("currentSchema", "whatsapp_outbox,public"); // the test's own SQL names tables bare
        pool = new HikariDataSource(config);
        OutboxMigrator.migrate(pool);
        JdbcOutbox outbox = JdbcOutbox.builder().dataSource(pool).build();
        Sql sql = new Sql(pool);
        sql.update("""
                INSERT INTO consentement (org_id, phone_number, channel, status, created_at, updated_at)
                SELECT 'org-pg', '+336' || lpad(i::text, 8, '0'), 'SMS', 'GRANTED', now(), now()
                  FROM generate_series(0, ? - 1) i""", MESSAGES);
        ScriptedProvider sms = ScriptedProvider.sms();
        sms.otherwise(m -> {
            pause(10); // slow enough that results are waiting to be written when the database stops
            return sms.accept(m);
        });
        dispatcher = outbox.dispatcher().provider(Channel.SMS, sms).smsMessagesPerSecond(10_000)
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(50)).maxDelay(Duration.ofMillis(200)).build())
                .batchSize(50).concurrency(4).lease(Duration.ofSeconds(60)).closeTimeout(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).maintenanceInterval(Duration.ofMillis(500)).instanceId("survivor")
                .build();
        dispatcher.start();

        // the host keeps enqueueing through the outage; a failed enqueue is retried with its key,
        // as a host retries a transaction, so a commit whose answer was lost is not doubled
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger enqueueFailures = new AtomicInteger();
        // the second half is enqueued from the moment the database stops, however fast the first went
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Thread host = new Thread(() -> {
            for (int i = 0; i < MESSAGES; i++) {
                if (i == MESSAGES / 2) {
                    try {
                        stopped.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                OutboundMessageRequest r = OutboundMessageRequest.sms("org-pg", Requests.phone(i)).text("Rappel " + i)
                        .idempotencyKey("restart-" + i).build();
                while (true) {
                    try {
                        outbox.enqueue(r);
                        committed.incrementAndGet();
                        break;
                    } catch (RuntimeException e) {
                        enqueueFailures.incrementAndGet();
                        pause(100);
                    }
                }
            }
        }, "host-enqueue");
        host.start();
        Eventually.await("a third sent", Duration.ofMinutes(1), () -> sms.calls().size() >= MESSAGES / 3);

        postgres.close();
        stopped.countDown();
        long callsAtStop = sms.calls().size();
        pause((int) OUTAGE.toMillis());
        postgres = start(port);

        host.join(Duration.ofMinutes(2).toMillis());
        assertThat(host.isAlive()).isFalse();
        Eventually.await("every committed message sent", Duration.ofMinutes(2),
                () -> sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENT'") == MESSAGES);

        assertThat(sql.statusCounts()).isEqualTo(Map.of("SENT", (long) MESSAGES));
        assertThat(sms.callsPerMessage()).hasSize(MESSAGES);
        long duplicates = sms.callsPerMessage().values().stream().filter(n -> n.get() > 1).count();
        assertThat(duplicates).as("a database outage delays results, it does not resend").isZero();
        assertThat(enqueueFailures.get()).as("the host saw the outage").isPositive();
        LibraryLog.awaitLogged("Dispatcher survivor cannot claim, backing off");
        LibraryLog.awaitLogged("Dispatcher survivor reaches the database again");
        LibraryLog.awaitLogged("result(s) failed, retrying in");
        LibraryLog.awaitLogged("Listening for enqueued messages again");
        // the same pool serves again: no host restart, no new DataSource
        assertThat(pool.isRunning()).isTrue();
        assertThat(sql.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'PostgreSQL JDBC Driver'"))
                .isPositive();
        Figures.of("database-restart").put("messages", MESSAGES).put("outageSeconds", OUTAGE.toSeconds())
                .put("sentBeforeStop", callsAtStop).put("hostEnqueueFailuresDuringOutage", enqueueFailures.get())
                .put("committed", committed.get()).put("sent", MESSAGES).put("lost", 0).put("duplicates", duplicates)
                .put("poolTotalConnectionsAfter", pool.getHikariPoolMXBean().getTotalConnections())
                .write();
    }

    private static void pause(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteData() throws IOException {
        if (Files.exists(DATA)) {
            try (Stream<Path> files = Files.walk(DATA)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}

package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnqueueTest {
    static HikariDataSource ds;
    static JdbcOutbox outbox;
    static Sql sql;

    @BeforeAll
    static void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).build();
        sql = new Sql(ds);
    }

    @AfterAll
    static void stop() {
        ds.close();
    }

    @BeforeEach
    void empty() {
        sql.update("TRUNCATE outbound_message CASCADE");
        sql.update("DROP TABLE IF EXISTS dossier");
        sql.update("CREATE TABLE dossier (id text PRIMARY KEY)");
    }

    @Test
    void aHostRollbackLeavesNoMessage() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO dossier VALUES ('D-1')");
            }
            EnqueueResult r = outbox.enqueue(c, Requests.template("org-1", 1));
            assertThat(r.created()).isTrue();
            c.rollback();
        }
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isZero();
        assertThat(sql.count("SELECT count(*) FROM dossier")).isZero();
    }

    @Test
    void aHostCommitStoresTheMessageWithItsBusinessData() throws Exception {
        long id;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO dossier VALUES ('D-1')");
            }
            id = outbox.enqueue(c, OutboundMessageRequest.whatsapp("org-1", "+33612345678")
                    .template("appointment_reminder", "fr", "lundi").dossierId("D-1").idempotencyKey("rdv-1")
                    .createdBy("crm").build()).message().id();
            c.commit();
        }
        OutboundMessage m = outbox.find("org-1", id).orElseThrow();
        assertThat(m.status()).isEqualTo(MessageStatus.QUEUED);
        assertThat(m.dossierId()).isEqualTo("D-1");
        assertThat(m.maxAttempts()).isEqualTo(5);
        assertThat(m.content().templateName()).contains("appointment_reminder");
        assertThat(sql.one("SELECT template_code FROM outbound_message WHERE id = ?", id)).isEqualTo("appointment_reminder");
        assertThat(outbox.find("org-2", id)).as("another org's message is not found").isEmpty();
    }

    @Test
    void joinsAHostsJdbiTransaction() {
        org.jdbi.v3.core.Jdbi host = org.jdbi.v3.core.Jdbi.create(ds);
        assertThatThrownBy(() -> host.useTransaction(h -> {
            h.execute("INSERT INTO dossier VALUES ('D-7')");
            outbox.enqueue(h, Requests.template("org-1", 7));
            throw new IllegalStateException("the host changes its mind");
        })).hasMessageContaining("changes its mind");
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isZero();
        host.useTransaction(h -> {
            h.execute("INSERT INTO dossier VALUES ('D-7')");
            outbox.enqueueAll(h, List.of(Requests.template("org-1", 7), Requests.template("org-1", 8)));
        });
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(2);
        assertThat(sql.count("SELECT count(*) FROM dossier")).isEqualTo(1);
    }

    @Test
    void theSameKeyAndContentReturnsTheFirstMessageAndWritesNothing() {
        EnqueueResult first = outbox.enqueue(Requests.template("org-1", 7));
        EnqueueResult again = outbox.enqueue(Requests.template("org-1", 7));
        assertThat(again.created()).isFalse();
        assertThat(again.message().id()).isEqualTo(first.message().id());
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(1);
        // another org may use the same key
        assertThat(outbox.enqueue(Requests.template("org-2", 7)).created()).isTrue();
    }

    @Test
    void theSameKeyWithOtherContentIsRefused() {
        EnqueueResult first = outbox.enqueue(Requests.template("org-1", 7));
        OutboundMessageRequest other = OutboundMessageRequest.whatsapp("org-1", Requests.phone(7))
                .template("appointment_reminder", "fr", "mardi").idempotencyKey("key-7").build();
        assertThatThrownBy(() -> outbox.enqueue(other))
                .isInstanceOfSatisfying(IdempotencyConflictException.class, e -> {
                    assertThat(e.existingMessageId()).isEqualTo(first.message().id());
                    assertThat(e.getMessage()).contains("idempotencyKey").contains("key-7");
                });
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(1);
    }

    @Test
    void twoConcurrentEnqueuesWithOneKeyGiveOneRow() throws Exception {
        for (int round = 0; round < 20; round++) {
            int n = 1000 + round;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<EnqueueResult>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> {
                    try (Connection c = ds.getConnection()) {
                        c.setAutoCommit(false);
                        start.await();
                        EnqueueResult r = outbox.enqueue(c, Requests.template("org-1", n));
                        c.commit();
                        return r;
                    }
                }));
            }
            start.countDown();
            long created = 0;
            long id = -1;
            for (Future<EnqueueResult> f : results) {
                EnqueueResult r = f.get();
                created += r.created() ? 1 : 0;
                assertThat(id == -1 || id == r.message().id()).isTrue();
                id = r.message().id();
            }
            pool.shutdown();
            assertThat(created).isEqualTo(1);
            assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE idempotency_key = ?", "key-" + n)).isEqualTo(1);
        }
    }

    @Test
    void enqueuesABatchInOneCallAndAnswersInRequestOrder() throws Exception {
        List<OutboundMessageRequest> batch = IntStream.range(0, 500).mapToObj(i -> Requests.template("org-1", i)).toList();
        outbox.enqueue(batch.get(10));
        List<EnqueueResult> results;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            results = outbox.enqueueAll(c, batch);
            c.commit();
        }
        assertThat(results).hasSize(500);
        assertThat(results).filteredOn(EnqueueResult::created).hasSize(499);
        for (int i = 0; i < 500; i++) {
            assertThat(results.get(i).message().idempotencyKey()).isEqualTo("key-" + i);
        }
        assertThat(results.get(10).created()).isFalse();
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(500);
        // ids follow request order
        assertThat(results.get(11).message().id()).isLessThan(results.get(12).message().id());
    }

    @Test
    void aConflictInsideABatchUndoesTheWholeBatchButNotTheHostWork() throws Exception {
        outbox.enqueue(Requests.template("org-1", 3));
        OutboundMessageRequest conflicting = OutboundMessageRequest.whatsapp("org-1", Requests.phone(3))
                .text("other content").idempotencyKey("key-3").build();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO dossier VALUES ('D-9')");
            }
            assertThatThrownBy(() -> outbox.enqueueAll(c,
                    List.of(Requests.template("org-1", 1), Requests.template("org-1", 2), conflicting)))
                    .isInstanceOf(IdempotencyConflictException.class);
            c.commit();
        }
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(1);
        assertThat(sql.count("SELECT count(*) FROM dossier")).isEqualTo(1);
    }

    @Test
    void twoRequestsOfOneBatchWithOneKeyAndDifferentContentAreRefusedBeforeAnyWrite() {
        OutboundMessageRequest a = Requests.template("org-1", 5);
        OutboundMessageRequest b = OutboundMessageRequest.whatsapp("org-1", Requests.phone(5)).text("x")
                .idempotencyKey("key-5").build();
        assertThatThrownBy(() -> outbox.enqueueAll(List.of(a, b)))
                .isInstanceOf(IdempotencyConflictException.class).hasMessageContaining("twice in one batch");
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isZero();
    }

    @Test
    void badInputNeverReachesTheDatabase() {
        assertThatThrownBy(() -> OutboundMessageRequest.whatsapp("org-1", "not a number").text("hi").build())
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> outbox.find("org'; DROP TABLE outbound_message; --", 1))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("orgId");
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isZero();
    }

    @Test
    void scheduledMessagesWaitForTheirTime() {
        java.time.Instant later = java.time.Instant.now().plusSeconds(3600);
        OutboundMessage m = outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", "+33612345678")
                .template("appointment_reminder", "fr").notBefore(later).idempotencyKey("later").build()).message();
        // the answer says what is stored: PostgreSQL keeps microseconds
        assertThat(m.nextAttemptAt()).isEqualTo(later.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        OutboundMessage stored = outbox.find("org-1", m.id()).orElseThrow();
        assertThat(stored.nextAttemptAt()).isEqualTo(m.nextAttemptAt());
        assertThat(stored.createdAt()).isEqualTo(m.createdAt());
    }
}

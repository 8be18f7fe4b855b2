package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.jdbc.ops.RetentionPolicy;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention from the dispatchers' maintenance: once per interval across instances, a few batches per pass. */
class RetentionScheduleTest {
    static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    static final Instant OLD = T0.minus(Duration.ofDays(200));

    HikariDataSource ds;
    MutableClock clock;
    Sql sql;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        clock = new MutableClock(T0);
        sql = new Sql(ds);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    JdbcOutbox.Builder outbox() {
        return JdbcOutbox.builder().dataSource(ds).clock(clock).encryptionKeys(EncryptionKeys.of("k1", new byte[32]));
    }

    Dispatcher dispatcher(JdbcOutbox outbox) {
        return outbox.dispatcher().clock(clock).provider(Channel.WHATSAPP, ScriptedProvider.whatsapp()).build();
    }

    void oldDelivered(JdbcOutbox outbox, int count) {
        outbox.enqueueAll(IntStream.range(0, count).mapToObj(i -> Requests.template("org-" + i % 3, i))
                .toList());
        sql.update("UPDATE outbound_message SET status = 'DELIVERED', provider_message_id = 'wamid.' || id,"
                + " sent_at = ?::timestamptz, created_at = ?::timestamptz, updated_at = ?::timestamptz",
                OLD.toString(), OLD.toString(), OLD.toString());
    }

    long scheduledRuns() {
        return sql.count("SELECT count(*) FROM outbox_audit WHERE action = 'RUN_RETENTION'"
                + " AND operator = 'whatsapp-outbox-retention'");
    }

    @Test
    void twoInstancesRunItOncePerIntervalInPassesOfTwoBatchesUntilDone() {
        JdbcOutbox a = outbox().retention(RetentionPolicy.defaults(), Duration.ofHours(6)).build();
        JdbcOutbox b = outbox().retention(RetentionPolicy.defaults(), Duration.ofHours(6)).build();
        oldDelivered(a, 2_500);
        OutboundMessageRequest fresh = Requests.template("org-1", 9_999);
        long young = a.enqueue(fresh).message().id();

        try (Dispatcher da = dispatcher(a); Dispatcher db = dispatcher(b)) {
            da.runMaintenance();
            assertThat(sql.count("SELECT count(*) FROM outbound_message")).as("two batches of 1,000")
                    .isEqualTo(501);
            db.runMaintenance();
            assertThat(sql.count("SELECT count(*) FROM outbound_message")).as("the other instance goes on")
                    .isEqualTo(1);
            assertThat(a.find("org-1", young)).isPresent();
            da.runMaintenance();
            db.runMaintenance();
            assertThat(scheduledRuns()).as("done: not due again within the interval").isEqualTo(2);

            clock.advance(Duration.ofHours(6));
            db.runMaintenance();
            da.runMaintenance();
            assertThat(scheduledRuns()).isEqualTo(3);
        }
        assertThat(sql.count("SELECT count(*) FROM outbound_attempt")).isZero();
    }

    @Test
    void whileAnotherInstanceHoldsTheRunNothingIsDeleted() throws Exception {
        JdbcOutbox a = outbox().retention(RetentionPolicy.defaults(), Duration.ofHours(6)).build();
        oldDelivered(a, 10);
        try (Connection holder = ds.getConnection(); Statement s = holder.createStatement();
                Dispatcher d = dispatcher(a)) {
            s.execute("SELECT pg_advisory_lock(" + 0x57414f52L + ")");
            d.runMaintenance();
            assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(10);
            s.execute("SELECT pg_advisory_unlock(" + 0x57414f52L + ")");
            d.runMaintenance();
            assertThat(sql.count("SELECT count(*) FROM outbound_message")).isZero();
        }
    }

    @Test
    void aScheduledRunArchivesFirstWhenGivenADirectory(@TempDir Path dir) throws Exception {
        JdbcOutbox a = outbox().retention(RetentionPolicy.defaults(), Duration.ofDays(1), dir).build();
        oldDelivered(a, 5);
        try (Dispatcher d = dispatcher(a)) {
            d.runMaintenance();
        }
        try (var files = Files.list(dir)) {
            assertThat(files).singleElement().satisfies(f -> assertThat(Files.readAllLines(f)).hasSize(5));
        }
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isZero();
    }

    @Test
    void anIntervalOutOfRangeOrAMissingArchiveDirectoryIsRefusedNamingTheField(@TempDir Path dir) {
        assertThatThrownBy(() -> outbox().retention(RetentionPolicy.defaults(), Duration.ofSeconds(10)).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("retention.every");
        assertThatThrownBy(() -> outbox().retention(RetentionPolicy.defaults(), Duration.ofDays(1),
                dir.resolve("missing")).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("retention.archiveDirectory");
    }
}

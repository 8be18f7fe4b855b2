package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.OutboxMigrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * {@code --demo}: an embedded PostgreSQL, migrated and seeded with what an on-call engineer meets
 * (a stuck queue, an outage's dead letters, an org near its quota), so every command can be tried
 * from a fresh clone without a database. Gone when the command ends.
 */
final class DemoDatabase implements AutoCloseable {
    private final EmbeddedPostgres postgres;

    private DemoDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static DemoDatabase start() {
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded demo PostgreSQL", e);
        }
        DemoDatabase demo = new DemoDatabase(pg);
        try {
            DataSource ds = pg.getPostgresDatabase();
            OutboxMigrator.migrate(ds);
            seed(ds, Instant.now());
            return demo;
        } catch (RuntimeException e) {
            demo.close();
            throw e;
        }
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    private static void seed(DataSource ds, Instant now) {
        try (JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).build(); Connection c = ds.getConnection()) {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SET search_path TO whatsapp_outbox, public"); // the seed's own SQL names the tables bare
            }
            Seeder s = new Seeder(outbox, c, now);
            for (int i = 0; i < 5; i++) {
                s.delivered("demo-org-1", Channel.WHATSAPP, Duration.ofMinutes(10 + i * 7), 900 + i * 400L);
            }
            s.delivered("demo-org-2", Channel.SMS, Duration.ofMinutes(25), 1500);
            s.queued("demo-org-1", Duration.ofMinutes(2), Duration.ofMinutes(2));
            s.queued("demo-org-1", Duration.ofHours(3), Duration.ofHours(3)); // stuck: due for 3 hours
            s.queued("demo-org-1", Duration.ofHours(4), Duration.ofHours(-2)); // scheduled later: not stuck
            s.sendingExpired("demo-org-1", Duration.ofMinutes(40));
            for (int i = 0; i < 3; i++) { // the outage: temporary errors, cooled down for a day
                s.failed("demo-org-1", Channel.WHATSAPP, "131016", "TEMPORARY", "Service unavailable", Duration.ofHours(26 + i));
            }
            s.failed("demo-org-1", Channel.WHATSAPP, "131026", "UNDELIVERABLE", "Message undeliverable", Duration.ofHours(2));
            s.failed("demo-org-1", Channel.WHATSAPP, "132001", "TEMPLATE", "Template does not exist", Duration.ofDays(10));
            s.failed("demo-org-1", Channel.WHATSAPP, "131016", "TEMPORARY", "Service unavailable", Duration.ofDays(40));
            s.failed("demo-org-1", Channel.WHATSAPP, "131016", "TEMPORARY", "Service unavailable", Duration.ofDays(45));
            s.failed("demo-org-2", Channel.SMS, "NO_CONSENT", "OPTED_OUT", "No granted consent for this channel",
                    Duration.ofHours(5));
            s.exec("INSERT INTO whatsapp_rate_limit (org_id, messages_sent_count, quota_limit, reset_at, created_at, updated_at)"
                    + " VALUES ('demo-org-1', 950, 1000, ?, ?, ?)", at(now.plus(Duration.ofHours(6))), at(now), at(now));
            s.exec("INSERT INTO whatsapp_provider_config (org_id, phone_number_id, enabled, created_at, updated_at, updated_by)"
                    + " VALUES ('demo-org-1', '100000000000001', true, ?, ?, 'ops-setup')",
                    at(now.minus(Duration.ofDays(30))), at(now.minus(Duration.ofDays(3))));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot seed the demo database: " + e.getMessage(), e);
        }
    }

    static OffsetDateTime at(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    /** Enqueues through the outbox, then moves the row as time would have. */
    private static final class Seeder {
        private final JdbcOutbox outbox;
        private final Connection c;
        private final Instant now;
        private int n;

        Seeder(JdbcOutbox outbox, Connection c, Instant now) {
            this.outbox = outbox;
            this.c = c;
            this.now = now;
        }

        long enqueue(String org, Channel channel) {
            n++;
            OutboundMessageRequest.Builder b = OutboundMessageRequest.builder().orgId(org).channel(channel)
                    .to(String.format("+336%08d", 1000 + n)).idempotencyKey("demo-" + n);
            b = channel == Channel.WHATSAPP ? b.template("appointment_reminder", "fr", "lundi") : b.text("Rappel de rendez-vous");
            return outbox.enqueue(b.build()).message().id();
        }

        void exec(String sql, Object... args) throws SQLException {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    p.setObject(i + 1, args[i]);
                }
                p.executeUpdate();
            }
        }

        void delivered(String org, Channel channel, Duration age, long latencyMs) throws SQLException {
            long id = enqueue(org, channel);
            Instant created = now.minus(age);
            exec("UPDATE outbound_message SET status = 'DELIVERED', provider = 'demo', provider_message_id = ?, attempt_count = 1,"
                    + " created_at = ?, sent_at = ?, delivered_at = ?, updated_at = ? WHERE id = ?", "demo." + id,
                    at(created), at(created.plusMillis(latencyMs)), at(created.plusMillis(latencyMs + 500)),
                    at(created.plusMillis(latencyMs + 500)), id);
        }

        void queued(String org, Duration age, Duration dueAgo) throws SQLException {
            long id = enqueue(org, Channel.WHATSAPP);
            exec("UPDATE outbound_message SET created_at = ?, updated_at = ?, next_attempt_at = ? WHERE id = ?",
                    at(now.minus(age)), at(now.minus(age)), at(now.minus(dueAgo)), id);
        }

        void sendingExpired(String org, Duration age) throws SQLException {
            long id = enqueue(org, Channel.WHATSAPP);
            exec("UPDATE outbound_message SET status = 'SENDING', locked_by = 'demo-node:1', locked_until = ?, attempt_count = 1,"
                    + " created_at = ?, updated_at = ? WHERE id = ?", at(now.minus(age).plusSeconds(120)),
                    at(now.minus(age)), at(now.minus(age)), id);
        }

        void failed(String org, Channel channel, String code, String category, String message, Duration age)
                throws SQLException {
            long id = enqueue(org, channel);
            Instant failedAt = now.minus(age);
            exec("UPDATE outbound_message SET status = 'FAILED', error_code = ?, error_message = ?, error_category = ?,"
                    + " attempt_count = 5, failed_at = ?, created_at = ?, updated_at = ? WHERE id = ?", code, message,
                    category, at(failedAt), at(failedAt.minus(Duration.ofMinutes(30))), at(failedAt), id);
            exec("INSERT INTO outbound_attempt (message_id, org_id, attempt_number, provider, outcome, error_code, error_message,"
                    + " error_category, started_at, duration_ms) VALUES (?, ?, 5, 'demo', 'DEAD_LETTER', ?, ?, ?, ?, 250)",
                    id, org, code, message, category, at(failedAt));
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            // a temporary server: nothing to keep
        }
    }
}

package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.BusinessKey;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.jdbc.ops.AuditQuery;
import io.whatsappoutbox.jdbc.ops.DeadLetterQuery;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.QueueStatusQuery;
import io.whatsappoutbox.jdbc.ops.RetentionPolicy;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox in a schema of its own, on connections that see {@code public} only (a host's), beside
 * the host's own tables of the same names: every path qualifies its tables, none touches the host's.
 */
class SchemaQualificationTest {
    static final Operator OPS = Operator.of("oncall", "schema test");
    HikariDataSource ds;

    @AfterEach
    void stop() {
        if (ds != null) {
            ds.close();
        }
    }

    /** A database with the host's own {@code message} and {@code outbound_message}, on a public-only pool. */
    HikariDataSource hostDatabase() {
        HikariDataSource empty = TestDatabase.newEmptyDatabase(1);
        String database = empty.getPoolName();
        empty.close();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabase.bareUrl(database));
        config.setUsername("postgres");
        config.setPassword("postgres");
        config.setMaximumPoolSize(10);
        HikariDataSource host = new HikariDataSource(config);
        Sql sql = new Sql(host);
        sql.update("CREATE TABLE message (id bigserial PRIMARY KEY, body text)");
        sql.update("CREATE TABLE outbound_message (id bigserial PRIMARY KEY, note text)");
        sql.update("INSERT INTO message (body) VALUES ('the host''s own row')");
        return host;
    }

    @Test
    void everyPathRunsInTheOutboxSchemaAndTheHostsTablesOfTheSameNamesAreUntouched() throws Exception {
        ds = hostDatabase();
        Sql sql = new Sql(ds);
        assertThat(sql.one("SHOW search_path").toString()).doesNotContain("whatsapp_outbox");
        JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.of("k1", new byte[32]))
                .build();
        assertThat(outbox.migrate()).isNotEmpty();
        outbox.providerConfigs().save(new ProviderConfig("org-1", "1001", "2001", Secret.of("EAAJ-1"), null, true, null),
                "test");
        outbox.consents().grant("org-1", PhoneNumber.of(Requests.phone(1)), Channel.WHATSAPP, "form", "web");
        outbox.consents().grant("org-1", PhoneNumber.of(Requests.phone(2)), Channel.WHATSAPP, "form", "web");

        long onHostTransaction;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            onHostTransaction = outbox.enqueue(c, Requests.template("org-1", 1)).message().id();
            c.commit();
        }
        long cancelled = outbox.enqueue(Requests.text("org-1", 3, "annulé")).message().id();
        assertThat(outbox.cancel("org-1", BusinessKey.idempotencyKey(Requests.text("org-1", 3, "annulé").idempotencyKey()))
                .cancelled()).containsExactly(cancelled);

        ScriptedProvider meta = ScriptedProvider.whatsapp();
        try (Dispatcher d = outbox.dispatcher().provider(Channel.WHATSAPP, meta).pollInterval(Duration.ofMillis(20))
                .build()) {
            d.start();
            Eventually.await("sent", Duration.ofSeconds(20), () -> outbox.find("org-1", onHostTransaction)
                    .map(m -> m.status() == MessageStatus.SENT).orElse(false));
            String wamid = outbox.find("org-1", onHostTransaction).orElseThrow().providerMessageId();
            d.webhooks().accept(new WebhookBatch("meta", List.of(new DeliveryReceipt(Channel.WHATSAPP, wamid,
                    DeliveryStatus.DELIVERED, Instant.now(), null, "org-1")), List.of()));
            Eventually.await("delivered", Duration.ofSeconds(20), () -> outbox.find("org-1", onHostTransaction)
                    .map(m -> m.status() == MessageStatus.DELIVERED).orElse(false));
            d.runMaintenance();
        }

        var ops = outbox.operations();
        assertThat(ops.queueStatus(Scope.org("org-1"), QueueStatusQuery.defaults())).isNotNull();
        assertThat(ops.deadLetterReport(Scope.org("org-1"), DeadLetterQuery.defaults()).size()).isZero();
        assertThat(ops.auditLog(Scope.allOrgs(), AuditQuery.recent())).isNotEmpty();
        assertThat(ops.databaseHealth().toString()).contains("outbound_message");
        assertThat(ops.runRetention(Scope.allOrgs(), RetentionPolicy.defaults(), OPS, true).settledMessages()).isZero();
        assertThat(outbox.attempts("org-1", onHostTransaction)).hasSize(1);

        assertThat(sql.count("SELECT count(*) FROM whatsapp_outbox.outbound_message")).isEqualTo(2);
        assertThat(sql.count("SELECT count(*) FROM whatsapp_outbox.consentement")).isEqualTo(2);
        assertThat(sql.count("SELECT count(*) FROM public.outbound_message")).as("the host's, untouched").isZero();
        assertThat(sql.one("SELECT body FROM public.message")).isEqualTo("the host's own row");
        assertThat(sql.count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).as("only the host's").isEqualTo(2);
    }

    @Test
    void anInstallFromBeforeSchemasIsMovedWithEveryRowByMigrate() {
        ds = TestDatabase.newEmptyDatabase(4);
        JdbcOutbox legacy = JdbcOutbox.builder().dataSource(ds).schema("public")
                .encryptionKeys(EncryptionKeys.of("k1", new byte[32])).build();
        legacy.migrate();
        long id = legacy.enqueue(Requests.template("org-1", 7)).message().id();
        Sql sql = new Sql(ds);
        assertThat(sql.count("SELECT count(*) FROM public.outbound_message")).isEqualTo(1);

        JdbcOutbox upgraded = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.of("k1", new byte[32]))
                .build();
        assertThat(upgraded.migrate()).as("nothing left to apply: only moved").isEmpty();

        assertThat(upgraded.find("org-1", id)).isPresent();
        assertThat(sql.count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).isZero();
        assertThat(sql.count("SELECT count(*) FROM whatsapp_outbox.outbox_schema_history"))
                .isEqualTo(OutboxMigrator.SCRIPTS.size());
        // the insert trigger and its function came along: enqueues still wake the dispatchers
        assertThat(sql.count("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE p.proname = 'whatsapp_outbox_notify' AND n.nspname = 'whatsapp_outbox'")).isEqualTo(1);
        long next = upgraded.enqueue(Requests.template("org-1", 8)).message().id();
        assertThat(next).isGreaterThan(id);
    }

    @Test
    void aSchemaThatIsNotAPlainIdentifierIsRefusedNamingTheField() {
        assertThatThrownBy(() -> JdbcOutbox.builder().dataSource(new HikariDataSource()).schema("outbox; DROP TABLE x")
                .encryptionKeys(EncryptionKeys.of("k1", new byte[32])).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("schema");
    }
}

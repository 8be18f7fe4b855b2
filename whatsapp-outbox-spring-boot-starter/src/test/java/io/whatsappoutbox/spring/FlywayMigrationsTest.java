package io.whatsappoutbox.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.OutboxMigrator;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The outbox's scripts under the host's Flyway: apart from the host's own V1, and after the library's own runs. */
class FlywayMigrationsTest {
    static HikariDataSource ds;

    @AfterEach
    void close() {
        ds.close();
    }

    @Configuration(proxyBeanMethods = false)
    static class Host {
        @Bean(destroyMethod = "")
        DataSource dataSource() {
            return ds;
        }
    }

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class,
                        WhatsAppOutboxAutoConfiguration.class))
                .withUserConfiguration(Host.class)
                .withPropertyValues("whatsapp.outbox.encryption-key.id=k1",
                        "whatsapp.outbox.encryption-key.base64=" + EncryptionKeys.generateBase64Key(),
                        "whatsapp.outbox.migrations.mode=flyway", "whatsapp.outbox.dispatcher.enabled=false");
    }

    long count(String sql) {
        return new JdbcTemplate(ds).queryForObject(sql, Long.class);
    }

    @Test
    void aHostWithItsOwnV1AndTheOutboxEachKeepTheirOwnHistory() {
        ds = TestDatabase.newEmptyDatabase(4);
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(JdbcOutbox.class);
            assertThat(count("SELECT count(*) FROM flyway_schema_history WHERE success")).as("the host's").isEqualTo(1);
            assertThat(count("SELECT max(version::int) FROM " + OutboxMigrator.FLYWAY_HISTORY_TABLE
                    + " WHERE success AND type = 'SQL'")).isEqualTo(OutboxMigrator.latestVersion());
            assertThat(count("SELECT count(*) FROM outbound_message")).isZero();
            assertThat(count("SELECT count(*) FROM host_booking")).isZero();
        });
    }

    @Test
    void aSchemaTheLibraryMigratedIsBaselinedAtItsVersionAndKeepsItsRows() {
        ds = TestDatabase.newMigratedDatabase();
        new JdbcTemplate(ds).update("INSERT INTO outbox_audit (operation_id, action, operator, reason, org_scope, dry_run,"
                + " affected_count, created_at) VALUES (gen_random_uuid(), 'SET_QUOTA', 'bob', 'x', 'org-1', false, 1, now())");
        // the host adopts Flyway on a schema that already holds tables: its own baseline, before its V1
        runner().withPropertyValues("spring.flyway.baseline-on-migrate=true", "spring.flyway.baseline-version=0")
                .run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(count("SELECT count(*) FROM " + OutboxMigrator.FLYWAY_HISTORY_TABLE + " WHERE type = 'SQL'"))
                    .as("nothing run again").isZero();
            assertThat(count("SELECT max(version::int) FROM " + OutboxMigrator.FLYWAY_HISTORY_TABLE))
                    .isEqualTo(OutboxMigrator.latestVersion());
            assertThat(count("SELECT count(*) FROM outbox_audit")).isEqualTo(1);
        });
    }
}

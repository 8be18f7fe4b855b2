package io.whatsappoutbox.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import io.whatsappoutbox.meta.MetaCloudProvider;
import io.whatsappoutbox.sms.TwilioSmsProvider;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration's conditions and its property errors, each naming the property. */
class WhatsAppOutboxAutoConfigurationTest {
    static final String KEY = EncryptionKeys.generateBase64Key();
    static HikariDataSource ds;

    @BeforeAll
    static void database() {
        ds = TestDatabase.newMigratedDatabase();
    }

    @AfterAll
    static void close() {
        ds.close();
    }

    @Configuration(proxyBeanMethods = false)
    static class WithDataSource {
        // shared by the tests: a context's close must not close it
        @Bean(destroyMethod = "")
        DataSource dataSource() {
            return ds;
        }
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WhatsAppOutboxAutoConfiguration.class))
            .withPropertyValues("whatsapp.outbox.dispatcher.enabled=false");

    @Test
    void withoutADataSourceNothingIsConfigured() {
        runner.withPropertyValues("whatsapp.outbox.encryption-key.id=k1", "whatsapp.outbox.encryption-key.base64=" + KEY)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JdbcOutbox.class));
    }

    @Test
    void aMissingEncryptionKeyStopsTheStartNamingTheProperty() {
        runner.withUserConfiguration(WithDataSource.class).run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("whatsapp.outbox.encryption-key.base64"));
    }

    @Test
    void badSettingsAreAllNamedAtOnce() {
        runner.withUserConfiguration(WithDataSource.class).withPropertyValues("whatsapp.outbox.encryption-key.id=k1",
                "whatsapp.outbox.encryption-key.base64=" + KEY, "whatsapp.outbox.dispatcher.batch-size=0",
                "whatsapp.outbox.accounts.org-1.access-token=EAAJ-x")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("whatsapp.outbox.dispatcher.batch-size")
                        .hasMessageContaining("whatsapp.outbox.accounts.org-1.phone-number-id"));
    }

    @Test
    void theOutboxAndTheMetaProviderWithoutTheDispatcherWhenItIsSwitchedOffAndNoSmsUnlessEnabled() {
        runner.withUserConfiguration(WithDataSource.class).withPropertyValues("whatsapp.outbox.encryption-key.id=k1",
                "whatsapp.outbox.encryption-key.base64=" + KEY, "whatsapp.outbox.migrations.mode=none")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(JdbcOutbox.class)
                        .hasSingleBean(MetaCloudProvider.class).doesNotHaveBean(Dispatcher.class)
                        .doesNotHaveBean(TwilioSmsProvider.class));
    }

    @Test
    void theMetaProviderSendsAsynchronouslyUnlessThePropertySwitchesItOff() {
        runner.withUserConfiguration(WithDataSource.class).withPropertyValues("whatsapp.outbox.encryption-key.id=k1",
                "whatsapp.outbox.encryption-key.base64=" + KEY, "whatsapp.outbox.migrations.mode=none")
                .run(context -> assertThat(context.getBean(MetaCloudProvider.class).isAsynchronous()).isTrue());
        runner.withUserConfiguration(WithDataSource.class).withPropertyValues("whatsapp.outbox.encryption-key.id=k1",
                "whatsapp.outbox.encryption-key.base64=" + KEY, "whatsapp.outbox.migrations.mode=none",
                "whatsapp.outbox.meta.asynchronous=false")
                .run(context -> assertThat(context.getBean(MetaCloudProvider.class).isAsynchronous()).isFalse());
    }

    @Test
    void anSmsProviderEnabledWithoutItsAccountIsRefusedNamingEachProperty() {
        runner.withUserConfiguration(WithDataSource.class).withPropertyValues("whatsapp.outbox.encryption-key.id=k1",
                "whatsapp.outbox.encryption-key.base64=" + KEY, "whatsapp.outbox.sms.enabled=true")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("whatsapp.outbox.sms.account-sid")
                        .hasMessageContaining("whatsapp.outbox.sms.from"));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnOutbox {
        @Bean
        JdbcOutbox hostOutbox() {
            return JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.fromBase64("host", KEY)).build();
        }
    }

    @Test
    void aHostsOwnOutboxIsUsedAndTheKeyIsThenNotRequired() {
        runner.withUserConfiguration(WithDataSource.class, OwnOutbox.class)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(JdbcOutbox.class)
                        .hasBean("hostOutbox"));
    }

    @Test
    void anAccountOfThePropertiesIsSavedAndANewAppSecretReplacesTheStoredOne() {
        String[] account = {"whatsapp.outbox.encryption-key.id=k1", "whatsapp.outbox.encryption-key.base64=" + KEY,
            "whatsapp.outbox.accounts.org-props.phone-number-id=100000000000077",
            "whatsapp.outbox.accounts.org-props.access-token=EAAJ-props"};
        runner.withUserConfiguration(WithDataSource.class).withPropertyValues(account)
                .withPropertyValues("whatsapp.outbox.accounts.org-props.app-secret=secret-before-reset")
                .run(context -> assertThat(appSecrets(context.getBean(JdbcOutbox.class))).containsExactly(true, false));
        runner.withUserConfiguration(WithDataSource.class).withPropertyValues(account)
                .withPropertyValues("whatsapp.outbox.accounts.org-props.app-secret=secret-after-reset")
                .run(context -> assertThat(appSecrets(context.getBean(JdbcOutbox.class))).containsExactly(false, true));
    }

    /** Whether the org's current secret is the one before Meta's reset, and the one after. */
    static java.util.List<Boolean> appSecrets(JdbcOutbox outbox) {
        var current = outbox.providerConfigs().webhookSecrets().candidates(java.time.Instant.now()).stream()
                .filter(c -> "org-props".equals(c.orgId()) && c.validUntil() == null).toList();
        return java.util.List.of(current.stream().anyMatch(c -> c.secret().matches("secret-before-reset")),
                current.stream().anyMatch(c -> c.secret().matches("secret-after-reset")));
    }
}

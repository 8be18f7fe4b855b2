package io.whatsappoutbox.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPolicy;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.meta.MetaCloudProvider;
import io.whatsappoutbox.sms.TwilioSmsProvider;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * The outbox on the application's DataSource, its writes joining Spring's transactions, the Meta
 * (and, when enabled, Twilio) provider, the dispatcher as a lifecycle bean, its health indicator,
 * the application's MeterRegistry and ObservationRegistry (tracing), and the opt-in webhook endpoints. Every bean backs off when the
 * host defines its own.
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class},
        afterName = {"org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
                "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration",
                "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
                "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration"})
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(WhatsAppOutboxProperties.class)
public class WhatsAppOutboxAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(WhatsAppOutboxAutoConfiguration.class);
    static final String ACTOR = "spring-boot-properties";

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    // after the host's own Flyway or Liquibase: its first migration must find its schema as it left it
    @DependsOnDatabaseInitialization
    public JdbcOutbox whatsAppOutbox(DataSource dataSource, WhatsAppOutboxProperties properties,
            ObjectProvider<ObservationRegistry> observations) {
        check(properties);
        WhatsAppOutboxProperties.EncryptionKey key = properties.encryptionKey();
        // the application's registry (Actuator's, with its tracing bridge): enqueue, send and receipt
        // are observed, and the dispatcher from outbox.dispatcher() takes it too
        JdbcOutbox outbox = JdbcOutbox.builder().dataSource(dataSource).schema(properties.schema())
                .encryptionKeys(EncryptionKeys.fromBase64(key.id(), key.base64()))
                .observationRegistry(observations.getIfAvailable())
                .hostTransactions(new SpringHostTransactions(dataSource)).build();
        switch (properties.migrations().mode()) {
            case LIBRARY -> outbox.migrate();
            case FLYWAY -> FlywayMigrations.migrate(dataSource, properties.schema());
            case NONE -> { }
        }
        properties.accounts().forEach((org, account) -> saveAccount(outbox, org, account));
        return outbox;
    }

    /** Saves an account of the properties when the stored one is absent or differs, its app secret included. */
    private static void saveAccount(JdbcOutbox outbox, String org, WhatsAppOutboxProperties.Account a) {
        ProviderConfig wanted = new ProviderConfig(org, a.phoneNumberId(), a.businessAccountId(),
                Secret.of(a.accessToken()), a.appSecret() == null ? null : Secret.of(a.appSecret()), true, null);
        boolean same = outbox.providerConfigs().forOrg(org).filter(stored -> stored.phoneNumberId().equals(a.phoneNumberId())
                && Objects.equals(stored.businessAccountId(), a.businessAccountId())
                && stored.accessToken().matches(a.accessToken())).isPresent()
                // Meta resets the app secret in its dashboard: a new one in the properties must be saved
                && (a.appSecret() == null || outbox.providerConfigs().webhookSecrets()
                        .candidatesFor(Set.of(a.phoneNumberId()), Instant.now()).stream()
                        .anyMatch(c -> org.equals(c.orgId()) && c.validUntil() == null && c.secret().matches(a.appSecret())));
        if (!same) {
            outbox.providerConfigs().save(wanted, ACTOR);
            log.info("WhatsApp account of org {} saved from whatsapp.outbox.accounts", org);
        }
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "whatsapp.outbox.meta", name = "enabled", matchIfMissing = true)
    public MetaCloudProvider whatsAppOutboxMetaProvider(JdbcOutbox outbox, WhatsAppOutboxProperties properties) {
        MetaCloudProvider.Builder meta = MetaCloudProvider.builder().accounts(outbox.providerConfigs())
                .baseUrl(properties.meta().baseUrl()).callTimeout(properties.meta().callTimeout());
        if (properties.meta().asynchronous() != null) {
            meta.asynchronous(properties.meta().asynchronous());
        }
        return meta.build();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "whatsapp.outbox.sms", name = "enabled")
    public TwilioSmsProvider whatsAppOutboxSmsProvider(WhatsAppOutboxProperties properties) {
        WhatsAppOutboxProperties.Sms sms = properties.sms();
        Violations v = new Violations();
        v.requirePresent("whatsapp.outbox.sms.account-sid", sms.accountSid());
        v.requirePresent("whatsapp.outbox.sms.auth-token", sms.authToken());
        v.requirePresent("whatsapp.outbox.sms.from", sms.from());
        v.throwIfAny("whatsapp.outbox.sms");
        TwilioSmsProvider.Builder b = TwilioSmsProvider.builder().baseUrl(sms.baseUrl()).accountSid(sms.accountSid())
                .authToken(Secret.of(sms.authToken())).from(sms.from());
        if (sms.statusCallbackUrl() != null) {
            b.statusCallbackUrl(URI.create(sms.statusCallbackUrl()));
        }
        return b.build();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "whatsapp.outbox.dispatcher", name = "enabled", matchIfMissing = true)
    public Dispatcher whatsAppOutboxDispatcher(JdbcOutbox outbox, WhatsAppOutboxProperties properties,
            ObjectProvider<MetaCloudProvider> meta, ObjectProvider<TwilioSmsProvider> sms,
            ObjectProvider<MeterRegistry> registry, ObjectProvider<FallbackRules> fallbackRules,
            ObjectProvider<RetryPolicy> retryPolicy, ObjectProvider<ConsentPolicy> consentPolicy) {
        WhatsAppOutboxProperties.Dispatcher d = properties.dispatcher();
        Dispatcher.Builder b = outbox.dispatcher().batchSize(d.batchSize()).pollInterval(d.pollInterval())
                .closeTimeout(d.stopBudget());
        meta.ifAvailable(p -> b.provider(Channel.WHATSAPP, p));
        sms.ifAvailable(p -> b.provider(Channel.SMS, p));
        registry.ifAvailable(b::meterRegistry);
        fallbackRules.ifAvailable(b::fallbackRules);
        retryPolicy.ifAvailable(b::retryPolicy);
        consentPolicy.ifAvailable(b::consentPolicy);
        if (d.concurrency() != null) {
            b.concurrency(d.concurrency());
        }
        if (d.instanceId() != null) {
            b.instanceId(d.instanceId());
        }
        return b.build();
    }

    @Bean
    @ConditionalOnBean(Dispatcher.class)
    @ConditionalOnMissingBean(name = "whatsAppOutboxDispatcherLifecycle")
    DispatcherLifecycle whatsAppOutboxDispatcherLifecycle(Dispatcher dispatcher) {
        return new DispatcherLifecycle(dispatcher);
    }

    /** Every property error at once, each naming its property and rule. */
    static void check(WhatsAppOutboxProperties p) {
        Violations v = new Violations();
        WhatsAppOutboxProperties.EncryptionKey key = p.encryptionKey();
        if (key == null || key.base64() == null || key.base64().isBlank()) {
            v.add("whatsapp.outbox.encryption-key.base64", "is missing",
                    "a 32-byte key in base64 (EncryptionKeys.generateBase64Key() makes one); keep it out of the code");
        } else {
            try {
                EncryptionKeys.fromBase64(key.id() == null ? "k1" : key.id(), key.base64());
            } catch (RuntimeException e) {
                v.add("whatsapp.outbox.encryption-key.base64", "is not a usable key", "a 32-byte key in base64");
            }
        }
        if (key != null && key.base64() != null && (key.id() == null || key.id().isBlank())) {
            v.add("whatsapp.outbox.encryption-key.id", "is missing", "a short name for the key, such as k1");
        }
        if (p.schema() == null || !p.schema().matches("[a-z_][a-z0-9_]{0,62}")) {
            v.add("whatsapp.outbox.schema", "is '" + p.schema() + "'", "a lower-case SQL identifier (letters, digits, _)");
        }
        if (p.migrations().mode() == WhatsAppOutboxProperties.MigrationMode.FLYWAY
                && !ClassUtils.isPresent("org.flywaydb.core.Flyway", WhatsAppOutboxAutoConfiguration.class.getClassLoader())) {
            v.add("whatsapp.outbox.migrations.mode", "is flyway but Flyway is not on the classpath",
                    "add org.flywaydb:flyway-core and flyway-database-postgresql, or use library");
        }
        WhatsAppOutboxProperties.Dispatcher d = p.dispatcher();
        if (d.batchSize() < 1 || d.batchSize() > 1000) {
            v.add("whatsapp.outbox.dispatcher.batch-size", "is " + d.batchSize(), "between 1 and 1000");
        }
        if (d.concurrency() != null && (d.concurrency() < 1 || d.concurrency() > 1024)) {
            v.add("whatsapp.outbox.dispatcher.concurrency", "is " + d.concurrency(), "between 1 and 1024, or unset");
        }
        if (d.stopBudget().isNegative() || d.stopBudget().toSeconds() > 600) {
            v.add("whatsapp.outbox.dispatcher.stop-budget", "is " + d.stopBudget(), "between 0 and 10 minutes");
        }
        for (Map.Entry<String, WhatsAppOutboxProperties.Account> e : p.accounts().entrySet()) {
            String prefix = "whatsapp.outbox.accounts." + e.getKey();
            v.requirePresent(prefix + ".phone-number-id", e.getValue().phoneNumberId());
            v.requirePresent(prefix + ".access-token", e.getValue().accessToken());
        }
        v.throwIfAny("whatsapp.outbox properties");
    }
}

package io.whatsappoutbox.examples.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.meta.MetaCloudProvider;
import io.whatsappoutbox.meta.MetaWebhookHandler;
import io.whatsappoutbox.sms.TwilioSmsProvider;
import io.whatsappoutbox.sms.TwilioInboundMessageHandler;
import io.whatsappoutbox.sms.TwilioStatusCallbackHandler;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything the demo host runs, wired as a real host would: PostgreSQL (embedded unless a JDBC URL
 * is given), the outbox, the Meta and SMS providers (pointed at local simulators unless base URLs
 * are given), the dispatcher with the demo's fallback rules, the two webhook handlers and the HTTP
 * API.
 */
final class DemoStack implements AutoCloseable {
    /** The seeded orgs and their Meta phone number ids; webhooks are routed by phone number id. */
    static final List<String> ORGS = List.of("demo-org-1", "demo-org-2", "demo-org-3");
    static final List<String> PHONE_NUMBER_IDS = List.of("100000000000001", "100000000000002", "100000000000003");
    /** Their WhatsApp Business account ids: the template list and the lifecycle webhooks are per account. */
    static final List<String> BUSINESS_ACCOUNT_IDS = List.of("200000000000001", "200000000000002", "200000000000003");
    static final String TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000001";
    static final String SMS_FROM = "+15005550006";
    /** The serve mode's fallback rules: critical templates fall back to SMS. */
    static final FallbackRules FALLBACK = FallbackRules.of(
            FallbackRule.forTemplates("appointment_reminder", "urgent_notification")
                    .onDeadLetter(ErrorCategory.UNDELIVERABLE, ErrorCategory.SESSION_EXPIRED)
                    .smsText(m -> "Rappel important" + (m.dossierId() == null ? "" : " (dossier " + m.dossierId() + ")")
                            + " : merci de consulter votre espace client. Repondez STOP pour ne plus recevoir de SMS."));

    final DemoConfig config;
    final EmbeddedPostgres embedded;
    final HikariDataSource dataSource;
    final JdbcOutbox outbox;
    final OutboxOperations operations;
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final Callbacks callbacks = new Callbacks();
    final DemoHttpServer http;
    final MetaSimulator metaSimulator;
    final SmsSimulator smsSimulator;
    final MetaCloudProvider metaProvider;
    final TwilioSmsProvider smsProvider;
    final Dispatcher dispatcher;
    final MetaWebhookHandler metaWebhook;
    final TwilioStatusCallbackHandler smsCallbacks;
    final TwilioInboundMessageHandler smsInbound;
    final String jdbcUrl;

    private DemoStack(DemoConfig config, Consumer<String> say) {
        this.config = config;
        if (config.jdbcUrl() == null) {
            try {
                embedded = EmbeddedPostgres.builder().setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off").start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
            jdbcUrl = embedded.getJdbcUrl("postgres", "postgres");
        } else {
            embedded = null;
            jdbcUrl = config.jdbcUrl();
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(jdbcUrl);
        hc.setUsername(config.jdbcUser());
        hc.setPassword(config.jdbcPassword() == null ? (embedded != null ? "postgres" : null) : config.jdbcPassword().reveal());
        hc.setMaximumPoolSize(20);
        hc.setPoolName("demo");
        // the demo's own SQL (the story's checks, the serve mode's views) names the outbox's tables bare
        hc.addDataSourceProperty("currentSchema", "whatsapp_outbox,public");
        dataSource = new HikariDataSource(hc);
        outbox = JdbcOutbox.builder().dataSource(dataSource)
                .encryptionKeys(EncryptionKeys.fromBase64("k1", config.encryptionKeyBase64()))
                .configCacheFor(Duration.ofSeconds(2)).build();
        outbox.migrate();
        operations = outbox.operations();
        http = new DemoHttpServer(config.bindAddress(), config.port());
        String publicUrl = config.publicUrl() != null ? config.publicUrl() : "http://localhost:" + http.port();
        metaSimulator = config.metaBaseUrl() == null
                ? new MetaSimulator(URI.create("http://localhost:" + http.port() + "/webhooks/whatsapp"),
                        config.metaAppSecret(), callbacks) : null;
        smsSimulator = config.smsBaseUrl() == null ? new SmsSimulator(config.twilioAuthToken(), callbacks) : null;
        seed();
        metaProvider = MetaCloudProvider.builder().accounts(outbox.providerConfigs())
                .baseUrl(metaSimulator != null ? metaSimulator.baseUrl() : config.metaBaseUrl()).build();
        smsProvider = TwilioSmsProvider.builder()
                .baseUrl(smsSimulator != null ? smsSimulator.baseUrl() : config.smsBaseUrl())
                .accountSid(TWILIO_ACCOUNT_SID).authToken(config.twilioAuthToken()).from(SMS_FROM)
                .statusCallbackUrl(URI.create(publicUrl + "/webhooks/sms/status")).build();
        dispatcher = outbox.dispatcher()
                .provider(Channel.WHATSAPP, metaProvider)
                .provider(Channel.SMS, smsProvider)
                .fallbackRules(FALLBACK)
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(300)).maxDelay(Duration.ofSeconds(3))
                        .throttleBase(Duration.ofMillis(300)).throttleCap(Duration.ofSeconds(3)).build())
                .meterRegistry(registry)
                .circuitBreaker(io.whatsappoutbox.core.dispatch.CircuitBreakerSettings.defaults().withOpenFor(Duration.ofSeconds(2)))
                .batchSize(50)
                .concurrency(8)
                .lease(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .maintenanceInterval(Duration.ofSeconds(1))
                .closeTimeout(Duration.ofSeconds(15))
                .instanceId("demo")
                .build();
        metaWebhook = MetaWebhookHandler.builder().verifyToken(config.metaVerifyToken())
                .secrets(outbox.providerConfigs().webhookSecrets()).accounts(outbox.providerConfigs())
                .sink(dispatcher.webhooks()).meterRegistry(registry).build();
        smsCallbacks = TwilioStatusCallbackHandler.builder().authToken(config.twilioAuthToken())
                .publicUrl(publicUrl + "/webhooks/sms/status").sink(dispatcher.webhooks()).meterRegistry(registry)
                .build();
        // the demo's one Twilio number receives for the first org; a host maps each org's own number
        smsInbound = TwilioInboundMessageHandler.builder().authToken(config.twilioAuthToken())
                .publicUrl(publicUrl + "/webhooks/sms/inbound").sink(dispatcher.webhooks()).meterRegistry(registry)
                .orgOf(n -> n.value().equals(SMS_FROM) ? java.util.Optional.of(ORGS.get(0)) : java.util.Optional.empty())
                .build();
        http.serve(new DemoApi(this));
        dispatcher.start();
        say.accept("PostgreSQL  " + jdbcUrl + (embedded != null ? "  (embedded, user postgres / postgres)" : ""));
        say.accept("HTTP API    http://localhost:" + http.port() + (http.address().getAddress().isLoopbackAddress()
                ? "  (loopback only: OUTBOX_DEMO_BIND_ADDRESS=0.0.0.0 listens on every interface)"
                : "  (listening on " + config.bindAddress() + ")"));
        if (metaSimulator != null) {
            say.accept("Meta sim    " + metaSimulator.baseUrl() + "   SMS sim " + smsSimulator.baseUrl());
        }
    }

    static DemoStack start(DemoConfig config, Consumer<String> say) {
        return new DemoStack(config, say);
    }

    /** The orgs and their provider configurations, once: a restart against the same database keeps them. */
    private void seed() {
        for (int i = 0; i < ORGS.size(); i++) {
            if (outbox.providerConfigs().forOrg(ORGS.get(i)).isEmpty()) {
                outbox.providerConfigs().save(new ProviderConfig(ORGS.get(i), PHONE_NUMBER_IDS.get(i), BUSINESS_ACCOUNT_IDS.get(i),
                        Secret.of("demo-access-token-" + (i + 1)), config.metaAppSecret(), true, null), "demo-seed");
            }
        }
    }

    @Override
    public void close() {
        http.stop();
        dispatcher.close();
        callbacks.close();
        if (metaSimulator != null) {
            metaSimulator.close();
        }
        if (smsSimulator != null) {
            smsSimulator.close();
        }
        metaProvider.close();
        smsProvider.close();
        dataSource.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                // the process is ending
            }
        }
    }
}

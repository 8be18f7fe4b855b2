package io.whatsappoutbox.spring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.dispatch.OutboxListener;
import io.whatsappoutbox.core.internal.Hmac;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.context.WebApplicationContext;

/**
 * A Spring Boot host on the embedded PostgreSQL, with a WireMock Meta: a {@code @Transactional}
 * booking enqueues its reminder with {@code enqueue(request)} and no glue; a commit sends it, a
 * rollback leaves nothing; health, metrics, the signed status webhook and the stop.
 */
class SpringBootHostTest {
    static final String KEY = EncryptionKeys.generateBase64Key();
    static final String APP_SECRET = "meta-app-secret-0123456789";
    static final String PHONE_ID = "100000000000001";
    static final String OK = "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+33612345678\","
            + "\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.booking-1\"}]}";
    static HikariDataSource ds;
    WireMockServer meta;

    @BeforeEach
    void start() {
        ds = TestDatabase.newEmptyDatabase(10);
        meta = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        meta.start();
        meta.stubFor(post(urlPathMatching("/v[0-9.]+/" + PHONE_ID + "/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(OK)));
    }

    @AfterEach
    void stop() {
        meta.stop();
        ds.close();
    }

    /** The host's service: its own row, the consent and the reminder in one transaction. */
    public static class Bookings {
        private final JdbcTemplate jdbc;
        private final JdbcOutbox outbox;

        public Bookings(JdbcTemplate jdbc, JdbcOutbox outbox) {
            this.jdbc = jdbc;
            this.outbox = outbox;
        }

        @Transactional
        public long book(String phone, boolean paymentRefused) {
            jdbc.update("INSERT INTO booking (phone) VALUES (?)", phone);
            outbox.consents().grant("org-1", PhoneNumber.of(phone), Channel.WHATSAPP, "booking form", "web");
            long id = outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", phone)
                    .template("appointment_reminder", "fr", "lundi 10h").idempotencyKey("booking-" + phone).build())
                    .message().id();
            if (paymentRefused) {
                throw new IllegalStateException("payment refused");
            }
            return id;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Host {
        @Bean
        DataSource dataSource() {
            return ds;
        }

        @Bean
        Bookings bookings(JdbcTemplate jdbc, JdbcOutbox outbox) {
            jdbc.execute("CREATE TABLE IF NOT EXISTS booking (id bigserial PRIMARY KEY, phone text NOT NULL)");
            return new Bookings(jdbc, outbox);
        }
    }

    WebApplicationContextRunner runner() {
        return new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceTransactionManagerAutoConfiguration.class,
                        TransactionAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
                        JacksonAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
                        WebMvcAutoConfiguration.class, MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                        HealthContributorAutoConfiguration.class, HealthEndpointAutoConfiguration.class,
                        WhatsAppOutboxAutoConfiguration.class, WhatsAppOutboxHealthAutoConfiguration.class,
                        WhatsAppOutboxWebhookAutoConfiguration.class))
                .withUserConfiguration(Host.class)
                .withPropertyValues("whatsapp.outbox.encryption-key.id=k1",
                        "whatsapp.outbox.encryption-key.base64=" + KEY,
                        "whatsapp.outbox.meta.base-url=" + meta.baseUrl(),
                        "whatsapp.outbox.accounts.org-1.phone-number-id=" + PHONE_ID,
                        "whatsapp.outbox.accounts.org-1.access-token=EAAJ-test-token",
                        "whatsapp.outbox.accounts.org-1.app-secret=" + APP_SECRET,
                        "whatsapp.outbox.webhooks.meta.enabled=true",
                        "whatsapp.outbox.webhooks.meta.verify-token=verify-42",
                        "whatsapp.outbox.dispatcher.poll-interval=50ms");
    }

    long rows(String table) {
        return new JdbcTemplate(ds).queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    @Test
    void aCommittedBookingSendsOneReminderAndARolledBackOneLeavesNothing() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            Bookings bookings = context.getBean(Bookings.class);
            JdbcOutbox outbox = context.getBean(JdbcOutbox.class);

            assertThatThrownBy(() -> bookings.book("+33612345670", true)).hasMessage("payment refused");
            assertThat(rows("booking")).isZero();
            assertThat(rows("outbound_message")).as("the reminder rolled back with the booking").isZero();
            assertThat(rows("consentement")).isZero();

            long id = bookings.book("+33612345678", false);
            Eventually.await("the reminder sent", Duration.ofSeconds(20),
                    () -> outbox.find("org-1", id).map(m -> m.status() == MessageStatus.SENT).orElse(false));
            meta.verify(1, postRequestedFor(urlPathMatching(".*/messages")));

            HealthEndpoint health = context.getBean(HealthEndpoint.class);
            Health outboxHealth = (Health) health.healthForPath("whatsappOutbox");
            assertThat(outboxHealth.getStatus()).isEqualTo(Status.UP);
            assertThat(outboxHealth.getDetails()).containsEntry("running", true).containsKeys("lastClaimAt",
                    "lastWriteAt", "permitsFree", "writeBacklog")
                    .containsEntry("breakers", Map.of("WHATSAPP/meta", OutboxListener.CircuitState.CLOSED));
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            // the application's registry has the outbox's meters
            Eventually.await("the send counted", Duration.ofSeconds(10), () -> registry.find("outbound.message.sent")
                    .tag("channel", "WHATSAPP").counters().stream().mapToDouble(c -> c.count()).sum() == 1.0);

            MockMvc mvc = MockMvcBuilders.webAppContextSetup((WebApplicationContext) context).build();
            mvc.perform(get("/webhooks/whatsapp").param("hub.mode", "subscribe").param("hub.verify_token", "verify-42")
                    .param("hub.challenge", "1158201444")).andExpect(status().isOk())
                    .andExpect(content().string("1158201444"));
            byte[] delivered = delivered("wamid.booking-1").getBytes(StandardCharsets.UTF_8);
            mvc.perform(MockMvcRequestBuilders.post("/webhooks/whatsapp").contentType(MediaType.APPLICATION_JSON)
                    .header("X-Hub-Signature-256", "sha256=" + Hmac.sha256Hex(APP_SECRET.getBytes(StandardCharsets.UTF_8),
                            delivered)).content(delivered)).andExpect(status().isOk());
            Eventually.await("delivered", Duration.ofSeconds(20),
                    () -> outbox.find("org-1", id).map(m -> m.status() == MessageStatus.DELIVERED).orElse(false));
            byte[] forged = delivered("wamid.booking-1").replace("delivered", "read").getBytes(StandardCharsets.UTF_8);
            mvc.perform(MockMvcRequestBuilders.post("/webhooks/whatsapp").contentType(MediaType.APPLICATION_JSON)
                    .header("X-Hub-Signature-256", "sha256=" + Hmac.sha256Hex(APP_SECRET.getBytes(StandardCharsets.UTF_8),
                            delivered)).content(forged)).andExpect(status().isUnauthorized());
        });
    }

    @Test
    void theContextsStopClosesTheDispatcher() {
        Dispatcher[] dispatcher = new Dispatcher[1];
        runner().run(context -> {
            dispatcher[0] = context.getBean(Dispatcher.class);
            assertThat(dispatcher[0].health().running()).isTrue();
        });
        assertThat(dispatcher[0].health().running()).isFalse();
    }

    static String delivered(String wamid) {
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"200000000000001\",\"changes\":[{\"value\":"
                + "{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550783881\","
                + "\"phone_number_id\":\"" + PHONE_ID + "\"},\"statuses\":[{\"id\":\"" + wamid + "\",\"status\":\"delivered\","
                + "\"timestamp\":\"" + (System.currentTimeMillis() / 1000) + "\",\"recipient_id\":\"33612345678\"}]},"
                + "\"field\":\"messages\"}]}]}";
    }
}

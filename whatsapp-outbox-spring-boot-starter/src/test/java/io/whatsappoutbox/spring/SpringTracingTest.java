package io.whatsappoutbox.spring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.tracing.MicrometerTracingAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.tracing.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * Actuator's tracing on OpenTelemetry (Micrometer Tracing's bridge, as Spring Boot configures it):
 * the outbox takes the application's ObservationRegistry, and the span of the reminder's provider
 * call, made later on a dispatcher thread, is in the trace of the {@code @Transactional} booking.
 */
class SpringTracingTest {
    static final String PHONE_ID = "100000000000001";
    static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    static HikariDataSource ds;
    WireMockServer meta;

    @BeforeEach
    void start() {
        SPANS.reset();
        ds = TestDatabase.newEmptyDatabase(10);
        meta = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        meta.start();
        meta.stubFor(post(urlPathMatching("/v[0-9.]+/" + PHONE_ID + "/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"messaging_product\":\"whatsapp\","
                        + "\"contacts\":[{\"input\":\"+33612345678\",\"wa_id\":\"33612345678\"}],"
                        + "\"messages\":[{\"id\":\"wamid.traced-1\"}]}")));
    }

    @AfterEach
    void stop() {
        meta.stop();
        ds.close();
    }

    /** The host's service: its row, the consent and the reminder in one transaction; answers its trace id. */
    public static class Bookings {
        private final JdbcTemplate jdbc;
        private final JdbcOutbox outbox;
        private final Tracer tracer;

        public Bookings(JdbcTemplate jdbc, JdbcOutbox outbox, Tracer tracer) {
            this.jdbc = jdbc;
            this.outbox = outbox;
            this.tracer = tracer;
        }

        @Transactional
        public String book(String phone) {
            jdbc.update("INSERT INTO booking (phone) VALUES (?)", phone);
            outbox.consents().grant("org-1", PhoneNumber.of(phone), Channel.WHATSAPP, "booking form", "web");
            outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", phone)
                    .template("appointment_reminder", "fr", "lundi 10h").idempotencyKey("booking-" + phone).build());
            return tracer.currentSpan().context().traceId();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Host {
        @Bean
        DataSource dataSource() {
            return ds;
        }

        @Bean
        Bookings bookings(JdbcTemplate jdbc, JdbcOutbox outbox, Tracer tracer) {
            jdbc.execute("CREATE TABLE IF NOT EXISTS booking (id bigserial PRIMARY KEY, phone text NOT NULL)");
            return new Bookings(jdbc, outbox, tracer);
        }

        /** Exports each span as it ends, to the test's exporter. */
        @Bean
        SpanProcessor testSpans() {
            return SimpleSpanProcessor.create(SPANS);
        }
    }

    @Test
    void aTransactionalBookingsTraceIdReachesTheSpanOfItsReminderSend() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceTransactionManagerAutoConfiguration.class,
                        TransactionAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
                        ObservationAutoConfiguration.class, MicrometerTracingAutoConfiguration.class,
                        OpenTelemetryAutoConfiguration.class, OpenTelemetryTracingAutoConfiguration.class,
                        WhatsAppOutboxAutoConfiguration.class))
                .withUserConfiguration(Host.class)
                .withPropertyValues("management.tracing.sampling.probability=1.0",
                        "whatsapp.outbox.encryption-key.id=k1",
                        "whatsapp.outbox.encryption-key.base64=" + EncryptionKeys.generateBase64Key(),
                        "whatsapp.outbox.meta.base-url=" + meta.baseUrl(),
                        "whatsapp.outbox.accounts.org-1.phone-number-id=" + PHONE_ID,
                        "whatsapp.outbox.accounts.org-1.access-token=EAAJ-test-token",
                        "whatsapp.outbox.dispatcher.poll-interval=50ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Bookings bookings = context.getBean(Bookings.class);
                    ObservationRegistry registry = context.getBean(ObservationRegistry.class);

                    // as an HTTP request's observation would be around the controller
                    String bookingTrace = Observation.createNotStarted("booking request", registry)
                            .observe(() -> bookings.book("+33612345678"));

                    Eventually.await("the send's span", Duration.ofSeconds(20), () -> SPANS.getFinishedSpanItems()
                            .stream().anyMatch(s -> s.getName().equals("whatsapp-outbox send")));
                    SpanData send = SPANS.getFinishedSpanItems().stream()
                            .filter(s -> s.getName().equals("whatsapp-outbox send")).findFirst().orElseThrow();
                    SpanData enqueue = SPANS.getFinishedSpanItems().stream()
                            .filter(s -> s.getName().equals("whatsapp-outbox enqueue")).findFirst().orElseThrow();
                    assertThat(send.getTraceId()).isEqualTo(bookingTrace);
                    assertThat(send.getParentSpanId()).isEqualTo(enqueue.getSpanId());
                    assertThat(enqueue.getTraceId()).isEqualTo(bookingTrace);
                });
    }
}

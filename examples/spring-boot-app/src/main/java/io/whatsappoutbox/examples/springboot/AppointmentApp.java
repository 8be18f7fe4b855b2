package io.whatsappoutbox.examples.springboot;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The Spring Boot example: an appointment service whose bookings enqueue their WhatsApp reminder in
 * their own transaction. It books one visit that commits and one whose payment fails after the
 * enqueue, shows the reminder the Meta simulator received and that the rolled-back one was never
 * written, and exits 0. Its database is an embedded PostgreSQL and Meta is a local simulator, so
 * nothing needs installing; {@code application.properties} is what a real host writes.
 */
@SpringBootApplication
public class AppointmentApp {

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres() {
        try {
            return EmbeddedPostgres.builder().setServerConfig("fsync", "off").start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
    }

    @Bean
    DataSource dataSource(EmbeddedPostgres pg) {
        HikariDataSource ds = DataSourceBuilder.create().type(HikariDataSource.class)
                .url(pg.getJdbcUrl("postgres", "postgres")).username("postgres").password("postgres").build();
        ds.setPoolName("appointments");
        new JdbcTemplate(ds).execute("CREATE TABLE IF NOT EXISTS appointment (id bigserial PRIMARY KEY,"
                + " customer text NOT NULL, visit_at timestamp NOT NULL)");
        return ds;
    }

    public static void main(String[] args) {
        System.exit(run(System.out, args));
    }

    /** Runs the story; 0 when the committed reminder was sent and the rolled-back one left nothing. */
    static int run(PrintStream out, String... args) {
        try (MetaSimulator meta = new MetaSimulator()) {
            SpringApplication app = new SpringApplication(AppointmentApp.class);
            app.setDefaultProperties(Map.of("whatsapp.outbox.meta.base-url", meta.baseUrl(),
                    // a real host reads its key from its secret store; the example makes one per run
                    "whatsapp.outbox.encryption-key.base64", EncryptionKeys.generateBase64Key()));
            try (ConfigurableApplicationContext context = app.run(args)) {
                return story(context, meta, out);
            }
        }
    }

    private static int story(ConfigurableApplicationContext context, MetaSimulator meta, PrintStream out) {
        Appointments appointments = context.getBean(Appointments.class);
        JdbcOutbox outbox = context.getBean(JdbcOutbox.class);
        JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
        ObservationRegistry observations = context.getBean(ObservationRegistry.class);
        Tracer tracer = context.getBean(Tracer.class);
        LocalDateTime visit = LocalDateTime.of(2026, 12, 7, 10, 30);

        // the booking as a request would run it: in a trace (the HTTP server observation in a web app)
        String[] bookingTrace = new String[1];
        long booked = Observation.createNotStarted("appointment.booking", observations).observe(() -> {
            bookingTrace[0] = tracer.currentSpan().context().traceId();
            return appointments.book("+33612345678", visit, false);
        });
        out.println("Booked appointment " + booked + " for +336******78, its reminder enqueued in the same transaction");
        try {
            appointments.book("+33698765432", visit.plusHours(2), true);
        } catch (Appointments.PaymentRefusedException e) {
            out.println("Second booking rolled back: " + e.getMessage());
        }

        Optional<OutboundMessage> reminder = awaitSent(outbox, "appointment-" + booked + "-reminder");
        List<String> sent = meta.requests();
        long rolledBackRows = jdbc.queryForObject("SELECT count(*) FROM whatsapp_outbox.outbound_message WHERE to_recipient = ?",
                Long.class, "+33698765432");
        long appointmentsKept = jdbc.queryForObject("SELECT count(*) FROM appointment", Long.class);
        out.println("Reminder of appointment " + booked + ": " + reminder.map(m -> m.status() + " as "
                + m.providerMessageId()).orElse("NOT SENT"));
        out.println("Meta simulator received " + sent.size() + " send(s): "
                + sent.stream().map(b -> b.replaceAll("\\+(\\d{3})\\d+(\\d{2})", "+$1******$2")).toList());
        out.println("Rolled-back booking: " + appointmentsKept + " appointment row kept in all, " + rolledBackRows
                + " reminder row, " + sent.stream().filter(b -> b.contains("+33698765432")).count() + " send");
        // the send's span ends when the provider has answered, before the SENT row is written
        List<String> sendTraces = context.getBean(SendSpans.class).traceIds();
        String sendTrace = sendTraces.isEmpty() ? "none" : sendTraces.get(0);
        out.println("trace: booking " + bookingTrace[0] + " -> send " + sendTrace);
        boolean ok = reminder.isPresent() && sent.size() == 1 && sent.get(0).contains("+33612345678")
                && rolledBackRows == 0 && appointmentsKept == 1 && sendTraces.size() == 1
                && sendTrace.equals(bookingTrace[0]);
        out.println(ok ? "OK: one reminder sent, the rolled-back one never existed" : "FAILED");
        return ok ? 0 : 1;
    }

    private static Optional<OutboundMessage> awaitSent(JdbcOutbox outbox, String idempotencyKey) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<OutboundMessage> m = outbox.findByIdempotencyKey(Appointments.ORG, idempotencyKey);
            if (m.isPresent() && m.get().status() == MessageStatus.SENT) {
                return m;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}

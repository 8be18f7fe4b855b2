package io.whatsappoutbox.examples.springboot;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import java.time.LocalDateTime;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The host's own service. One transaction holds the appointment, the customer's consent and the
 * reminder: the reminder exists, and is sent, if and only if the booking commits. No connection is
 * passed around: the starter makes the outbox join Spring's transaction.
 */
@Service
public class Appointments {
    static final String ORG = "agency-paris-11";
    private final JdbcTemplate jdbc;
    private final JdbcOutbox outbox;

    public Appointments(JdbcTemplate jdbc, JdbcOutbox outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
    }

    /** Books a visit; a refused payment after the enqueue rolls everything back, the reminder with it. */
    @Transactional
    public long book(String customer, LocalDateTime visit, boolean paymentRefused) {
        Long id = jdbc.queryForObject("INSERT INTO appointment (customer, visit_at) VALUES (?, ?) RETURNING id",
                Long.class, customer, visit);
        outbox.consents().grant(ORG, PhoneNumber.of(customer), Channel.WHATSAPP, "booking form", "web");
        outbox.enqueue(OutboundMessageRequest.whatsapp(ORG, customer)
                .template("visit_reminder", "fr", visit.toLocalDate().toString(), visit.toLocalTime().toString())
                .dossierId("appointment-" + id).idempotencyKey("appointment-" + id + "-reminder").build());
        if (paymentRefused) {
            throw new PaymentRefusedException("the deposit for appointment " + id + " was refused");
        }
        return id;
    }

    static final class PaymentRefusedException extends RuntimeException {
        PaymentRefusedException(String message) {
            super(message);
        }
    }
}

package io.whatsappoutbox.jdbc;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.internal.OutboxObservations;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.testing.StandInPropagation;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trace context on PostgreSQL: written by the enqueue (the host's connection and the outbox's
 * own transaction), returned by the claim, read by the send's observation, copied to a fallback.
 */
class TracingTest {
    HikariDataSource ds;
    Sql sql;
    final TestObservationRegistry registry = TestObservationRegistry.create();
    final StandInPropagation propagation = new StandInPropagation();

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        sql = new Sql(ds);
        registry.observationConfig().observationHandler(propagation);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    private JdbcOutbox outbox(boolean traced) {
        JdbcOutbox.Builder b = JdbcOutbox.builder().dataSource(ds);
        return (traced ? b.observationRegistry(registry) : b).build();
    }

    private static void consent(JdbcOutbox outbox, int n, Channel channel) {
        outbox.consents().grant("org-1", PhoneNumber.of(Requests.phone(n)), channel, "test", "test");
    }

    private String storedTrace(long id) {
        return (String) sql.one("SELECT trace_context FROM outbound_message WHERE id = ?", id);
    }

    @Test
    void theContextTheEnqueueStoresIsTheOneTheSendReadsAfterTheClaim() throws Exception {
        JdbcOutbox outbox = outbox(true);
        consent(outbox, 1, Channel.WHATSAPP);
        long id;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            id = outbox.enqueue(c, Requests.template("org-1", 1)).message().id();
            c.commit();
        }
        assertThat(storedTrace(id)).isEqualTo("traceparent=" + StandInPropagation.TRACEPARENT + "\ntracestate="
                + StandInPropagation.TRACESTATE);
        assertThat(registry).hasObservationWithNameEqualTo(OutboxObservations.ENQUEUE).that()
                .hasLowCardinalityKeyValue(OutboxObservations.CHANNEL, "WHATSAPP")
                .hasHighCardinalityKeyValue(OutboxObservations.ORG, "org-1")
                .hasBeenStopped();

        try (Dispatcher d = outbox.dispatcher().provider(Channel.WHATSAPP, ScriptedProvider.whatsapp()).build()) {
            assertThat(d.dispatchOnce()).isEqualTo(1);
        }

        assertThat(propagation.readBySend()).containsExactlyEntriesOf(
                java.util.Map.of(Long.toString(id), StandInPropagation.TRACEPARENT));
        assertThat(registry).hasObservationWithNameEqualTo(OutboxObservations.SEND).that()
                .hasLowCardinalityKeyValue(OutboxObservations.OUTCOME, "SENT")
                .hasLowCardinalityKeyValue(OutboxObservations.PROVIDER, "scripted-meta")
                .hasLowCardinalityKeyValue(OutboxObservations.CHANNEL, "WHATSAPP")
                .hasBeenStopped();
        assertThat(outbox.find("org-1", id).orElseThrow().traceContext())
                .containsEntry("traceparent", StandInPropagation.TRACEPARENT);
    }

    @Test
    void anEnqueueInItsOwnTransactionIsOneObservationWhoseContextEveryMessageCarries() {
        JdbcOutbox outbox = outbox(true);
        List<EnqueueResult> results = outbox.enqueueAll(List.of(Requests.template("org-1", 1),
                Requests.template("org-1", 2)));

        assertThat(registry).hasNumberOfObservationsWithNameEqualTo(OutboxObservations.ENQUEUE, 1);
        assertThat(registry).hasObservationWithNameEqualTo(OutboxObservations.ENQUEUE).that()
                .hasHighCardinalityKeyValue(OutboxObservations.MESSAGES, "2");
        for (EnqueueResult r : results) {
            assertThat(storedTrace(r.message().id())).startsWith("traceparent=" + StandInPropagation.TRACEPARENT);
            assertThat(r.message().traceContext()).containsEntry("tracestate", StandInPropagation.TRACESTATE);
        }
    }

    @Test
    void withoutARegistryTheColumnStaysNullAndTheSendHasNoContext() {
        JdbcOutbox outbox = outbox(false);
        consent(outbox, 1, Channel.WHATSAPP);
        long id = outbox.enqueue(Requests.template("org-1", 1)).message().id();

        try (Dispatcher d = outbox.dispatcher().provider(Channel.WHATSAPP, ScriptedProvider.whatsapp()).build()) {
            assertThat(d.dispatchOnce()).isEqualTo(1);
        }

        assertThat(storedTrace(id)).isNull();
        assertThat(outbox.find("org-1", id).orElseThrow().traceContext()).isEmpty();
        assertThat(registry).doesNotHaveAnyObservation();
    }

    @Test
    void anSmsFallbackCarriesItsParentsTraceContextAndItsSendReadsIt() {
        JdbcOutbox outbox = outbox(true);
        consent(outbox, 1, Channel.WHATSAPP);
        consent(outbox, 1, Channel.SMS);
        long id = outbox.enqueue(Requests.template("org-1", 1)).message().id();
        ScriptedProvider meta = ScriptedProvider.whatsapp().otherwise(ScriptedProvider.error("131026", 400));
        FallbackRules rules = FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                .onDeadLetter(ErrorCategory.UNDELIVERABLE).smsText(m -> "Rappel de rendez-vous"));

        try (Dispatcher d = outbox.dispatcher().provider(Channel.WHATSAPP, meta)
                .provider(Channel.SMS, ScriptedProvider.sms()).fallbackRules(rules).build()) {
            d.dispatchOnce();
            d.dispatchOnce();
        }

        OutboundMessage fallback = outbox.findFallback("org-1", id).orElseThrow();
        assertThat(storedTrace(fallback.id())).isEqualTo(storedTrace(id)).isNotNull();
        assertThat(propagation.readBySend()).containsEntry(Long.toString(fallback.id()), StandInPropagation.TRACEPARENT);
        assertThat(registry).hasAnObservation(o -> o.hasNameEqualTo(OutboxObservations.SEND)
                .hasLowCardinalityKeyValue(OutboxObservations.CHANNEL, "SMS")
                .hasLowCardinalityKeyValue(OutboxObservations.OUTCOME, "SENT")
                .hasHighCardinalityKeyValue(OutboxObservations.MESSAGE_ID, Long.toString(fallback.id())));
    }
}

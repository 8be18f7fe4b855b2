package io.whatsappoutbox.core.dispatch;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.internal.OutboxObservations;
import io.whatsappoutbox.core.testing.InMemoryStore;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.testing.StandInPropagation;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The observations of enqueue, send and receipt over the in-memory store, with a handler standing
 * in for a tracer's propagator: what the enqueue's setter wrote is what the send's getter reads.
 */
class TracingTest {
    private final TestObservationRegistry registry = TestObservationRegistry.create();
    private final StandInPropagation propagation = new StandInPropagation();
    /** What the send observations' getters read, by message id. */
    private final Map<String, String> readBySend = propagation.readBySend();

    TracingTest() {
        registry.observationConfig().observationHandler(propagation);
    }

    private OutboundMessage tracedEnqueue(InMemoryStore store, OutboundMessageRequest request) {
        return OutboxObservations.of(registry).enqueue(List.of(request),
                trace -> store.enqueue(request, Instant.now(), trace));
    }

    private Dispatcher dispatcher(InMemoryStore store, ScriptedProvider meta) {
        return Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).webhookStore(store)
                .observationRegistry(registry).build();
    }

    @Test
    void theSendReadsTheTraceContextTheEnqueueStoredOnTheMessage() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        OutboundMessage m = tracedEnqueue(store, Requests.template("org-1", 1));
        assertThat(m.traceContext()).containsEntry("traceparent", StandInPropagation.TRACEPARENT)
                .containsEntry("tracestate", StandInPropagation.TRACESTATE);
        assertThat(registry).hasObservationWithNameEqualTo(OutboxObservations.ENQUEUE).that()
                .hasLowCardinalityKeyValue(OutboxObservations.CHANNEL, "WHATSAPP")
                .hasHighCardinalityKeyValue(OutboxObservations.ORG, "org-1")
                .hasBeenStarted().hasBeenStopped();

        try (Dispatcher d = dispatcher(store, ScriptedProvider.whatsapp())) {
            assertThat(d.dispatchOnce()).isEqualTo(1);
        }

        assertThat(readBySend).containsEntry(Long.toString(m.id()), m.traceContext().get("traceparent"));
        assertThat(registry).hasObservationWithNameEqualTo(OutboxObservations.SEND).that()
                .hasLowCardinalityKeyValue(OutboxObservations.OUTCOME, "SENT")
                .hasLowCardinalityKeyValue(OutboxObservations.PROVIDER, "scripted-meta")
                .hasLowCardinalityKeyValue(OutboxObservations.CHANNEL, "WHATSAPP")
                .hasLowCardinalityKeyValue(OutboxObservations.ERROR_CATEGORY, "none")
                .hasHighCardinalityKeyValue(OutboxObservations.MESSAGE_ID, Long.toString(m.id()))
                .doesNotHaveError().hasBeenStopped();
    }

    @Test
    void anAsynchronousSendIsObservedUntilItsAnswerWithTheErrorCategory() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        OutboundMessage m = tracedEnqueue(store, Requests.template("org-1", 1));
        ScriptedProvider meta = ScriptedProvider.whatsapp().asynchronous()
                .script(Requests.phone(1), ScriptedProvider.error("131026", 400));

        try (Dispatcher d = dispatcher(store, meta)) {
            d.dispatchOnce();
        }

        assertThat(readBySend).containsEntry(Long.toString(m.id()), m.traceContext().get("traceparent"));
        assertThat(registry).hasObservationWithNameEqualTo(OutboxObservations.SEND).that()
                .hasLowCardinalityKeyValue(OutboxObservations.OUTCOME, "DEAD_LETTER")
                .hasLowCardinalityKeyValue(OutboxObservations.ERROR_CATEGORY, ErrorCategory.UNDELIVERABLE.name())
                .hasBeenStopped();
    }

    @Test
    void aFallbackCarriesItsParentsTraceContextToItsOwnSend() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        OutboundMessage m = tracedEnqueue(store, Requests.template("org-1", 1));
        ScriptedProvider meta = ScriptedProvider.whatsapp()
                .script(Requests.phone(1), ScriptedProvider.error("131026", 400));
        ScriptedProvider sms = ScriptedProvider.sms();

        try (Dispatcher d = Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).provider(Channel.SMS, sms)
                .fallbackRules(FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                        .onDeadLetter(ErrorCategory.UNDELIVERABLE).smsText(x -> "Rappel de rendez-vous")))
                .observationRegistry(registry).build()) {
            d.dispatchOnce();
            d.dispatchOnce();
        }

        OutboundMessage fallback = store.fallbackOf(m.id()).orElseThrow();
        assertThat(fallback.traceContext()).isEqualTo(m.traceContext());
        assertThat(fallback.status()).isEqualTo(MessageStatus.SENT);
        assertThat(readBySend).containsEntry(Long.toString(fallback.id()), m.traceContext().get("traceparent"));
    }

    @Test
    void aWebhookBatchIsObservedWithItsSourceAndStatuses() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        OutboundMessage m = tracedEnqueue(store, Requests.template("org-1", 1));
        try (Dispatcher d = dispatcher(store, ScriptedProvider.whatsapp())) {
            d.dispatchOnce();
            String providerId = store.message(m.id()).providerMessageId();
            d.webhooks().accept(new WebhookBatch("meta", List.of(
                    new DeliveryReceipt(Channel.WHATSAPP, providerId, DeliveryStatus.DELIVERED, Instant.now(), null),
                    new DeliveryReceipt(Channel.WHATSAPP, providerId, DeliveryStatus.READ, Instant.now(), null)),
                    List.of()));
        }

        assertThat(store.message(m.id()).status()).isEqualTo(MessageStatus.READ);
        assertThat(registry).hasObservationWithNameEqualTo(OutboxObservations.RECEIPT).that()
                .hasLowCardinalityKeyValue(OutboxObservations.SOURCE, "meta")
                .hasLowCardinalityKeyValue(OutboxObservations.STATUS, "DELIVERED,READ")
                .hasHighCardinalityKeyValue("applied", "2")
                .hasBeenStopped();
    }

    /** A host's tracing handler that throws when an observation starts, or when it stops. */
    private static ObservationRegistry throwingOn(boolean start) {
        ObservationRegistry broken = ObservationRegistry.create();
        broken.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
            @Override
            public void onStart(Observation.Context context) {
                if (start) {
                    throw new IllegalStateException("tracer down");
                }
            }

            @Override
            public void onStop(Observation.Context context) {
                throw new IllegalStateException("tracer down");
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
        return broken;
    }

    @Test
    void aTracingHandlerThatThrowsCostsTheTraceNeverTheEnqueueTheSendOrTheReceipt() {
        InMemoryStore store = new InMemoryStore(Clock.systemUTC()).grantEveryone();
        OutboundMessageRequest one = Requests.template("org-1", 1);
        OutboundMessageRequest two = Requests.template("org-1", 2);
        long first = OutboxObservations.of(throwingOn(true)).enqueue(List.of(one),
                trace -> store.enqueue(one, Instant.now(), trace)).id();
        long second = OutboxObservations.of(throwingOn(false)).enqueue(List.of(two),
                trace -> store.enqueue(two, Instant.now(), trace)).id();
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        // a result lost to the handler would leave dispatchOnce waiting for ever: bounded, to fail instead
        assertTimeoutPreemptively(Duration.ofMinutes(1), () -> {
            try (Dispatcher d = Dispatcher.builder(store).provider(Channel.WHATSAPP, meta).batchSize(1)
                    .observationRegistry(throwingOn(true)).build()) {
                d.dispatchOnce();
            }
            try (Dispatcher d = Dispatcher.builder(store).provider(Channel.WHATSAPP, ScriptedProvider.whatsapp()
                    .asynchronous()).batchSize(1).webhookStore(store).observationRegistry(throwingOn(false)).build()) {
                d.dispatchOnce();
                d.webhooks().accept(new WebhookBatch("meta", List.of(new DeliveryReceipt(Channel.WHATSAPP,
                        store.message(first).providerMessageId(), DeliveryStatus.DELIVERED, Instant.now(), null)),
                        List.of()));
            }
        });

        assertThat(store.message(first).status()).isEqualTo(MessageStatus.DELIVERED);
        assertThat(store.message(second).status()).isEqualTo(MessageStatus.SENT);
        assertThat(meta.callsFor(first)).isEqualTo(1);
    }

    @Test
    void theStoredTraceContextReadsBackAsWrittenAndStaysBounded() {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("traceparent", "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01");
        fields.put("tracestate", "k=v=w,x=y");
        String stored = OutboxObservations.encode(fields);
        assertThat(OutboxObservations.decode(stored)).containsExactlyEntriesOf(fields);
        assertThat(OutboxObservations.encode(Map.of())).isNull();
        assertThat(OutboxObservations.decode(null)).isEmpty();

        fields.put("baggage", "x".repeat(2000));
        assertThat(OutboxObservations.decode(OutboxObservations.encode(fields)))
                .containsOnlyKeys("traceparent", "tracestate");
    }

    @Test
    void fieldsPostgreSqlCannotStoreOrTheLinesCannotHoldAreLeftOut() {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("traceparent", "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01");
        fields.put("baggage", "user=a\u0000b");
        fields.put("multi", "one\ntwo");
        fields.put("na=me", "v");
        assertThat(OutboxObservations.decode(OutboxObservations.encode(fields))).containsOnlyKeys("traceparent");
    }
}

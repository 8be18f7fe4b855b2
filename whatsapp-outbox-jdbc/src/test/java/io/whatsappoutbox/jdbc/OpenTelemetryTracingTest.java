package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With Micrometer Tracing's OpenTelemetry bridge and the W3C propagator, as a host runs them: the
 * span of the provider call, made by a running dispatcher on its own threads, is in the trace of
 * the request that enqueued the message, its parent the enqueue's span (a remote parent, read back
 * from the row the claim returned).
 */
class OpenTelemetryTracingTest {
    HikariDataSource ds;
    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    SdkTracerProvider provider;
    Tracer tracer;
    ObservationRegistry registry;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
        io.opentelemetry.api.trace.Tracer otel = provider.get("test");
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        tracer = new OtelTracer(otel, current, event -> {}, new OtelBaggageManager(current, List.of(), List.of()));
        OtelPropagator propagator = new OtelPropagator(
                ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
        registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                new DefaultTracingObservationHandler(tracer)));
    }

    @AfterEach
    void stop() {
        provider.close();
        ds.close();
    }

    private SpanData span(String name) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans.getFinishedSpanItems()));
    }

    @Test
    void theSendSpanJoinsTheTraceOfTheRequestThatEnqueued() throws Exception {
        JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).observationRegistry(registry).build();
        outbox.consents().grant("org-1", PhoneNumber.of(Requests.phone(1)), Channel.WHATSAPP, "test", "test");
        Span request = tracer.nextSpan().name("book appointment").start();
        long id;
        try (Tracer.SpanInScope scope = tracer.withSpan(request); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            id = outbox.enqueue(c, Requests.template("org-1", 1)).message().id();
            c.commit();
        } finally {
            request.end();
        }
        assertThat(outbox.find("org-1", id).orElseThrow().traceContext()).containsKey("traceparent");

        try (Dispatcher d = outbox.dispatcher().provider(Channel.WHATSAPP, ScriptedProvider.whatsapp())
                .pollInterval(Duration.ofMillis(20)).build()) {
            d.start();
            Eventually.await("the send's span", Duration.ofSeconds(30), () -> spans.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getName().equals("whatsapp-outbox send")));
        }

        SpanData booking = span("book appointment");
        SpanData enqueue = span("whatsapp-outbox enqueue");
        SpanData send = span("whatsapp-outbox send");
        assertThat(enqueue.getTraceId()).isEqualTo(booking.getTraceId());
        assertThat(enqueue.getParentSpanId()).isEqualTo(booking.getSpanId());
        assertThat(send.getTraceId()).isEqualTo(booking.getTraceId());
        assertThat(send.getParentSpanContext().isRemote()).isTrue();
        assertThat(send.getParentSpanId()).isEqualTo(enqueue.getSpanId());
        assertThat(send.getAttributes().asMap().entrySet()).anySatisfy(e -> {
            assertThat(e.getKey().getKey()).isEqualTo("outcome");
            assertThat(e.getValue()).isEqualTo("SENT");
        });
    }
}

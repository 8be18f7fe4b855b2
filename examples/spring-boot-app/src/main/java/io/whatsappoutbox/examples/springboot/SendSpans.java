package io.whatsappoutbox.examples.springboot;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.stereotype.Component;

/**
 * Where the example's spans end, in place of the exporter (OTLP, Zipkin) a real host adds: it keeps
 * the trace ids of the outbox's send spans, so that the story can show that the reminder's send is
 * in the booking's trace. Spring Boot adds every {@link SpanProcessor} bean to its tracer.
 */
@Component
public class SendSpans implements SpanProcessor {
    static final String SEND = "whatsapp-outbox send";
    private final List<String> traceIds = new CopyOnWriteArrayList<>();

    /** The trace ids of the send spans ended so far, in order. */
    public List<String> traceIds() {
        return List.copyOf(traceIds);
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        if (span.getName().equals(SEND)) {
            traceIds.add(span.getSpanContext().getTraceId());
        }
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}

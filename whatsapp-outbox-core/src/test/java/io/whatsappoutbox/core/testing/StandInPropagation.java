package io.whatsappoutbox.core.testing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import io.whatsappoutbox.core.internal.OutboxObservations;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for a tracer's propagator in tests without a tracer: injects {@link #TRACEPARENT} and
 * {@link #TRACESTATE} into a sender's carrier when it starts, and records what a receiver's getter
 * reads for {@code traceparent} ("none" when nothing), by the observation's message id.
 */
public final class StandInPropagation implements ObservationHandler<Observation.Context> {
    public static final String TRACEPARENT = "00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-01";
    public static final String TRACESTATE = "vendor=a,other=b=c";

    private final Map<String, String> readBySend = new ConcurrentHashMap<>();

    /** What each send's getter read, by message id. */
    public Map<String, String> readBySend() {
        return readBySend;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void onStart(Observation.Context context) {
        if (context instanceof SenderContext sender) {
            sender.getSetter().set(sender.getCarrier(), "traceparent", TRACEPARENT);
            sender.getSetter().set(sender.getCarrier(), "tracestate", TRACESTATE);
        } else if (context instanceof ReceiverContext receiver) {
            String read = (String) receiver.getGetter().get(receiver.getCarrier(), "traceparent");
            readBySend.put(context.getHighCardinalityKeyValue(OutboxObservations.MESSAGE_ID).getValue(),
                    read == null ? "none" : read);
        }
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return true;
    }
}

package io.whatsappoutbox.core.internal;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox's Micrometer observations: the enqueue (a sender whose propagation fields are stored
 * on the message), each provider call (a receiver of those fields, so that with a tracing bridge the
 * send's span joins the trace that enqueued the message) and each webhook batch. With no registry,
 * or one without handlers, nothing is created: every method returns at its first test. The names
 * and keys are a contract (docs/configuration.md, "Tracing"); no key carries a number or a body.
 * Internal.
 */
public final class OutboxObservations {
    public static final String ENQUEUE = "whatsapp.outbox.enqueue";
    public static final String SEND = "whatsapp.outbox.send";
    public static final String RECEIPT = "whatsapp.outbox.receipt";

    public static final String CHANNEL = "channel";
    public static final String PROVIDER = "provider";
    public static final String OUTCOME = "outcome";
    public static final String ERROR_CATEGORY = "error.category";
    public static final String SOURCE = "source";
    public static final String STATUS = "status";
    public static final String ORG = "org";
    public static final String MESSAGE_ID = "message.id";
    public static final String MESSAGES = "messages";
    /** A key's value when there is nothing to say (no provider answered, no error). */
    public static final String NONE = "none";

    /** Longest stored trace context: the trace fields fit many times over; a large baggage is cut. */
    static final int MAX_ENCODED = 1024;

    private static final Logger log = LoggerFactory.getLogger(OutboxObservations.class);
    private static final OutboxObservations OFF = new OutboxObservations(ObservationRegistry.NOOP);

    private final ObservationRegistry registry;

    private OutboxObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    /** @param registry the host's registry, or null: no observation */
    public static OutboxObservations of(ObservationRegistry registry) {
        return registry == null || registry == ObservationRegistry.NOOP ? OFF : new OutboxObservations(registry);
    }

    /** The work of an enqueue, given the trace context to store on every message it writes (null: none). */
    @FunctionalInterface
    public interface Write<T, X extends Exception> {
        T write(Map<String, String> traceContext) throws X;
    }

    /**
     * One enqueue call (one observation however many messages): the sender context's propagation
     * fields, injected by the tracing handler when the observation starts, go to {@code work},
     * which stores them on each message. The observation is current while the work runs.
     */
    public <T, X extends Exception> T enqueue(List<OutboundMessageRequest> requests, Write<T, X> work) throws X {
        if (registry.isNoop() || requests.isEmpty()) {
            return work.write(null);
        }
        OutboundMessageRequest first = requests.get(0);
        Set<Channel> channels = EnumSet.noneOf(Channel.class);
        requests.forEach(r -> channels.add(r.channel()));
        Observation o = started("an enqueue", () -> Observation.createNotStarted(ENQUEUE,
                        () -> {
                            SenderContext<Map<String, String>> c = new SenderContext<>(Map::put, Kind.PRODUCER);
                            c.setCarrier(new LinkedHashMap<>());
                            return c;
                        }, registry)
                .contextualName("whatsapp-outbox enqueue")
                .lowCardinalityKeyValue(CHANNEL, channels.size() == 1 ? channels.iterator().next().name() : "MIXED")
                .highCardinalityKeyValue(ORG, first.orgId())
                .highCardinalityKeyValue(MESSAGES, Integer.toString(requests.size())));
        Observation.Scope scope = open(o);
        T written;
        try {
            written = work.write(carrier(o));
        } catch (Exception | Error e) {
            close(scope);
            stopped("an enqueue", o, e);
            throw e;
        }
        close(scope);
        stopped("an enqueue", o, null);
        return written;
    }

    /**
     * The observation built and started, or {@link Observation#NOOP} when a host's handler throws:
     * a failing tracer costs the trace, never the enqueue, the send or the webhook.
     */
    private static Observation started(String what, Supplier<Observation> observation) {
        try {
            return observation.get().start();
        } catch (RuntimeException e) {
            log.warn("Observing {} failed at its start: {}", what, SafeText.describe(e));
            return Observation.NOOP;
        }
    }

    private static void stopped(String what, Observation o, Throwable error) {
        try {
            if (error != null) {
                o.error(error);
            }
            o.stop();
        } catch (RuntimeException e) {
            log.warn("Observing {} failed at its end: {}", what, SafeText.describe(e));
        }
    }

    /** A provider call, made with {@code o} current in this thread (when it observes anything). */
    public static <T> T inScope(Observation o, Supplier<T> call) {
        Observation.Scope scope = open(o);
        try {
            return call.get();
        } finally {
            close(scope);
        }
    }

    /** Makes {@code o} current in this thread; null when it is NOOP or a handler throws. */
    private static Observation.Scope open(Observation o) {
        if (o.isNoop()) {
            return null;
        }
        try {
            return o.openScope();
        } catch (RuntimeException e) {
            log.warn("Observing: opening a scope failed: {}", SafeText.describe(e));
            return null;
        }
    }

    /** Closes what {@link #open} gave; a handler that throws is logged. */
    private static void close(Observation.Scope scope) {
        if (scope == null) {
            return;
        }
        try {
            scope.close();
        } catch (RuntimeException e) {
            log.warn("Observing: closing a scope failed: {}", SafeText.describe(e));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> carrier(Observation o) {
        if (o.getContext() instanceof SenderContext<?> sender && sender.getCarrier() instanceof Map<?, ?> fields) {
            return fields.isEmpty() ? null : (Map<String, String>) fields;
        }
        return null;
    }

    /**
     * Starts the observation of one provider call of {@code m}, its parent the trace context stored
     * on the message; {@link Observation#NOOP} when observations are off.
     */
    public Observation startSend(OutboundMessage m) {
        if (registry.isNoop()) {
            return Observation.NOOP;
        }
        return started("a send", () -> send(m));
    }

    private Observation send(OutboundMessage m) {
        Map<String, String> stored = m.traceContext();
        return Observation.createNotStarted(SEND,
                        () -> {
                            ReceiverContext<Map<String, String>> c = new ReceiverContext<>(Map::get, Kind.CONSUMER);
                            c.setCarrier(stored);
                            c.setRemoteServiceName("whatsapp-outbox");
                            return c;
                        }, registry)
                .contextualName("whatsapp-outbox send")
                .lowCardinalityKeyValue(CHANNEL, m.channel().name())
                .highCardinalityKeyValue(ORG, m.orgId())
                .highCardinalityKeyValue(MESSAGE_ID, Long.toString(m.id()));
    }

    /**
     * Stops a send's observation with what came of it (outcome, provider, error category) and
     * returns {@code result}; {@code thrown} is host or provider code that threw, or null.
     */
    public static AttemptResult stopSend(Observation o, AttemptResult result, Throwable thrown) {
        if (o.isNoop()) {
            return result;
        }
        o.lowCardinalityKeyValue(OUTCOME, result.outcome().name())
                .lowCardinalityKeyValue(PROVIDER, result.provider() == null ? NONE : result.provider())
                .lowCardinalityKeyValue(ERROR_CATEGORY,
                        result.error() == null ? NONE : result.error().category().name());
        stopped("a send", o, thrown);
        return result;
    }

    /**
     * One webhook batch applied: tagged with its source and the receipt statuses it carries (the
     * set, e.g. {@code DELIVERED,READ}; {@code none} for a batch of inbound messages only), and how
     * many receipts were applied, duplicates, ignored or pending.
     */
    public WebhookResult receipt(WebhookBatch batch, Supplier<WebhookResult> apply) {
        if (registry.isNoop()) {
            return apply.get();
        }
        Set<String> statuses = new TreeSet<>();
        for (DeliveryReceipt r : batch.receipts()) {
            statuses.add(r.status().name());
        }
        Observation o = started("a webhook batch", () -> Observation.createNotStarted(RECEIPT, registry)
                .contextualName("whatsapp-outbox receipt")
                .lowCardinalityKeyValue(SOURCE, batch.source())
                .lowCardinalityKeyValue(STATUS, statuses.isEmpty() ? NONE : String.join(",", statuses))
                .highCardinalityKeyValue("receipts", Integer.toString(batch.receipts().size()))
                .highCardinalityKeyValue("inbound", Integer.toString(batch.inbound().size())));
        Observation.Scope scope = open(o);
        WebhookResult r;
        try {
            r = apply.get();
        } catch (RuntimeException | Error e) {
            close(scope);
            stopped("a webhook batch", o, e);
            throw e;
        }
        close(scope);
        o.highCardinalityKeyValue(KeyValue.of("applied", Integer.toString(r.applied())))
                .highCardinalityKeyValue(KeyValue.of("duplicates", Integer.toString(r.duplicates())))
                .highCardinalityKeyValue(KeyValue.of("pending", Integer.toString(r.pending())));
        stopped("a webhook batch", o, null);
        return r;
    }

    /**
     * A trace context as stored: {@code name=value} lines in the tracer's order, null when empty.
     * Propagation field names hold no {@code =} and header values no line break. Fields that would
     * take it past {@value #MAX_ENCODED} characters are left out (a large baggage, never the trace
     * fields, which come first).
     */
    public static String encode(Map<String, String> fields) {
        if (fields == null || fields.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder(64 * fields.size());
        for (Map.Entry<String, String> e : fields.entrySet()) {
            String name = e.getKey();
            String value = Objects.requireNonNullElse(e.getValue(), "");
            // a NUL cannot be stored in a PostgreSQL text: it would fail the host's whole enqueue
            if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\n') >= 0
                    || name.indexOf('\0') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                continue;
            }
            int length = out.length() + (out.length() == 0 ? 0 : 1) + name.length() + 1 + value.length();
            if (length > MAX_ENCODED) {
                continue;
            }
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(name).append('=').append(value);
        }
        return out.length() == 0 ? null : out.toString();
    }

    /** What {@link #encode} wrote; an empty map for null, and lines without {@code =} are skipped. */
    public static Map<String, String> decode(String stored) {
        if (stored == null || stored.isEmpty()) {
            return Map.of();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        int from = 0;
        while (from <= stored.length()) {
            int end = stored.indexOf('\n', from);
            if (end < 0) {
                end = stored.length();
            }
            int eq = stored.indexOf('=', from);
            if (eq > from && eq < end) {
                fields.put(stored.substring(from, eq), stored.substring(eq + 1, end));
            }
            from = end + 1;
        }
        return fields;
    }
}

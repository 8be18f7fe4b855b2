package io.whatsappoutbox.core.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.spi.QueueSnapshot;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outbox's meters, named so that Prometheus renders exactly the names the runbook queries
 * ({@code outbound_message_queue_depth{status}}, {@code outbound_message_dlq_size},
 * {@code outbound_message_total{channel}} ...). Without a registry every meter is a no-op.
 * Internal.
 */
public final class OutboxMetrics {
    private final MeterRegistry registry;
    private final Map<Channel, Counter> attempts = new EnumMap<>(Channel.class);
    private final Map<Channel, Counter> sent = new EnumMap<>(Channel.class);
    private final Map<Channel, Timer> deliveries = new EnumMap<>(Channel.class);
    private final Map<Channel, Timer> dispatchLatency = new EnumMap<>(Channel.class);
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong sending = new AtomicLong();
    private final Map<Channel, AtomicLong> deadLetter = new EnumMap<>(Channel.class);
    private final AtomicLong stuckQueuedNow = new AtomicLong();
    private final AtomicLong stuckSendingNow = new AtomicLong();
    private final Counter stuckQueuedSeen;
    private final Counter stuckSendingSeen;
    private boolean gaugesRegistered;

    public OutboxMetrics(MeterRegistry registry) {
        this.registry = registry == null ? new CompositeMeterRegistry() : registry;
        for (Channel c : Channel.values()) {
            String ch = c.name();
            attempts.put(c, Counter.builder("outbound.message").tag("channel", ch)
                    .description("Send attempts (provider calls and sends stopped by a rule)").register(this.registry));
            sent.put(c, Counter.builder("outbound.message.sent").tag("channel", ch)
                    .description("Attempts the provider accepted").register(this.registry));
            deliveries.put(c, Timer.builder("outbound.message.delivery.duration").tag("channel", ch)
                    .description("From enqueue to the provider's delivery receipt")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100))
                    .maximumExpectedValue(Duration.ofHours(6)).register(this.registry));
            dispatchLatency.put(c, Timer.builder("outbound.message.dispatch.duration").tag("channel", ch)
                    .description("From due time to the provider's acceptance")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofHours(1)).register(this.registry));
            deadLetter.put(c, new AtomicLong());
        }
        // counters, so that Prometheus renders outbound_message_stuck_total as the runbook queries it
        stuckQueuedSeen = Counter.builder("outbound.message.stuck").tag("status", MessageStatus.QUEUED.name())
                .description("Messages claimed after waiting longer than the stuck threshold (QUEUED) or recovered"
                        + " from an expired lease (SENDING)").register(this.registry);
        stuckSendingSeen = Counter.builder("outbound.message.stuck").tag("status", MessageStatus.SENDING.name())
                .register(this.registry);
    }

    /**
     * Gauges read the last snapshot; registered by the first snapshot only, so that a registry
     * shared with a webhook processor that never takes snapshots does not bind them to values
     * nobody updates.
     */
    private synchronized void registerGauges() {
        if (gaugesRegistered) {
            return;
        }
        gaugesRegistered = true;
        for (Channel c : Channel.values()) {
            Gauge.builder("outbound.message.dlq.size", deadLetter.get(c), AtomicLong::get).tag("channel", c.name())
                    .description("Messages in the dead letter (status FAILED)").register(registry);
        }
        Gauge.builder("outbound.message.queue.depth", queued, AtomicLong::get).tag("status", MessageStatus.QUEUED.name())
                .description("Messages waiting or sending").register(this.registry);
        Gauge.builder("outbound.message.queue.depth", sending, AtomicLong::get).tag("status", MessageStatus.SENDING.name())
                .register(this.registry);
        Gauge.builder("outbound.message.stuck.messages", stuckQueuedNow, AtomicLong::get)
                .tag("status", MessageStatus.QUEUED.name())
                .description("Messages stuck right now").register(this.registry);
        Gauge.builder("outbound.message.stuck.messages", stuckSendingNow, AtomicLong::get)
                .tag("status", MessageStatus.SENDING.name()).register(this.registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void attempt(Channel channel) {
        attempts.get(channel).increment();
    }

    public void sent(Channel channel, Duration sinceDue) {
        sent.get(channel).increment();
        if (!sinceDue.isNegative()) {
            dispatchLatency.get(channel).record(sinceDue);
        }
    }

    public void failure(Channel channel, String errorCode) {
        registry.counter("outbound.message.failures", "channel", channel.name(), "error_code", errorCode).increment();
    }

    /** A rate limit: the provider's ({@code provider}), the org's quota ({@code quota}), or a throttle. */
    public void rateLimitHit(Channel channel, String reason) {
        if (channel == Channel.WHATSAPP) {
            registry.counter("whatsapp.rate.limit.hits", "reason", reason).increment();
        }
    }

    public void delivered(Channel channel, Duration sinceEnqueue) {
        if (!sinceEnqueue.isNegative()) {
            deliveries.get(channel).record(sinceEnqueue);
        }
    }

    public void stuckQueuedClaimed(long n) {
        stuckQueuedSeen.increment(n);
    }

    public void leasesRecovered(long n) {
        stuckSendingSeen.increment(n);
    }

    public void fallbackCreated(long n) {
        if (n > 0) {
            registry.counter("outbound.message.fallbacks").increment(n);
        }
    }

    public void providerSwitch(Channel channel, String from, String to) {
        registry.counter("outbound.provider.switches", "channel", channel.name(), "from", from, "to", to).increment();
    }

    public void snapshot(QueueSnapshot s) {
        registerGauges();
        queued.set(s.queued());
        sending.set(s.sending());
        for (Channel c : Channel.values()) {
            deadLetter.get(c).set(s.deadLetter().getOrDefault(c, 0L));
        }
        stuckQueuedNow.set(s.stuckQueued());
        stuckSendingNow.set(s.stuckSending());
    }
}

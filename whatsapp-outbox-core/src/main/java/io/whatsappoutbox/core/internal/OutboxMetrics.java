package io.whatsappoutbox.core.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.whatsappoutbox.core.Attempt;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.dispatch.OutboxListener;
import io.whatsappoutbox.core.store.QueueSnapshot;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outbox's meters, named so that Prometheus renders exactly the names the runbook queries
 * ({@code outbound_message_queue_depth{status}}, {@code outbound_message_dlq_size},
 * {@code outbound_message_total{channel}} ...): the listener every dispatcher and webhook
 * processor given a registry installs. Internal.
 */
public final class OutboxMetrics implements OutboxListener {
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
    /** Per org, in millionths: a gauge per org seen, 0 once its account is no longer limited. */
    private final Map<String, AtomicLong> limitUsage = new java.util.concurrent.ConcurrentHashMap<>();

    public OutboxMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
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

    @Override
    public void onClaim(Claimed claim) {
        stuckQueuedSeen.increment(claim.stuck());
    }

    /**
     * Every attempt counts in {@code outbound.message}; an accepted one in {@code .sent} and the
     * dispatch latency, a refused one in {@code .failures} by code. A provider's rate limit that is
     * retried or deferred counts as a rate limit hit; one that dead-letters counts as a dead letter.
     */
    @Override
    public void onAttempt(Attempted a) {
        Channel channel = a.channel();
        attempts.get(channel).increment();
        if (a.outcome() == Attempt.Outcome.SENT) {
            sent.get(channel).increment();
            if (!a.sinceDue().isNegative()) {
                dispatchLatency.get(channel).record(a.sinceDue());
            }
            return;
        }
        if (a.errorCode() != null) {
            registry.counter("outbound.message.failures", "channel", channel.name(), "error_code", a.errorCode())
                    .increment();
        }
        if (a.provider() != null && a.category() == ErrorCategory.RATE_LIMITED
                && a.outcome() != Attempt.Outcome.DEAD_LETTER) {
            rateLimitHit(channel, "provider");
        }
    }

    @Override
    public void onDeferral(Deferred d) {
        if (OutboxErrorCodes.QUOTA_EXHAUSTED.equals(d.errorCode())) {
            rateLimitHit(d.channel(), "quota");
        }
    }

    /** A rate limit: the provider's ({@code provider}) or the org's quota ({@code quota}). */
    private void rateLimitHit(Channel channel, String reason) {
        if (channel == Channel.WHATSAPP) {
            registry.counter("whatsapp.rate.limit.hits", "reason", reason).increment();
        }
    }

    @Override
    public void onDelivery(Delivered d) {
        if (!d.sinceEnqueue().isNegative()) {
            deliveries.get(d.channel()).record(d.sinceEnqueue());
        }
    }

    @Override
    public void onLeasesRecovered(int n) {
        stuckSendingSeen.increment(n);
    }

    @Override
    public void onFallbacksCreated(int n) {
        if (n > 0) {
            registry.counter("outbound.message.fallbacks").increment(n);
        }
    }

    @Override
    public void onProviderSwitch(ProviderSwitched p) {
        registry.counter("outbound.provider.switches", "channel", p.channel().name(), "from", p.from(), "to", p.to())
                .increment();
    }

    @Override
    public void onQueueSnapshot(QueueSnapshot s) {
        registerGauges();
        queued.set(s.queued());
        sending.set(s.sending());
        for (Channel c : Channel.values()) {
            deadLetter.get(c).set(s.deadLetter().getOrDefault(c, 0L));
        }
        stuckQueuedNow.set(s.stuckQueued());
        stuckSendingNow.set(s.stuckSending());
    }

    @Override
    public void onMessagingLimitUsage(Map<String, Double> usageRatioByOrg) {
        usageRatioByOrg.forEach((org, ratio) -> limitUsage.computeIfAbsent(org, o -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("whatsapp.messaging.limit.usage.ratio", value, v -> v.get() / 1_000_000.0).tag("org", o)
                    .description("Share of Meta's messaging limit (unique template recipients per 24 h) the org's"
                            + " business account used").register(registry);
            return value;
        }).set(Math.round(ratio * 1_000_000)));
        limitUsage.forEach((org, value) -> {
            if (!usageRatioByOrg.containsKey(org)) {
                value.set(0);
            }
        });
    }
}

package io.whatsappoutbox.spring;

import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.dispatch.DispatcherHealth;
import io.whatsappoutbox.core.dispatch.OutboxListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The dispatcher's state as Actuator health ({@code whatsappOutbox}): DOWN when it is not running or
 * has not returned from a claim for {@code whatsapp.outbox.dispatcher.stale-after}, or when every
 * provider of a channel has its circuit open; the details are {@link DispatcherHealth}'s.
 */
final class WhatsAppOutboxHealthIndicator extends AbstractHealthIndicator {
    private final Dispatcher dispatcher;
    private final Duration staleAfter;
    private final Clock clock;

    WhatsAppOutboxHealthIndicator(Dispatcher dispatcher, Duration staleAfter, Clock clock) {
        super("WhatsApp outbox health check failed");
        this.dispatcher = dispatcher;
        this.staleAfter = staleAfter;
        this.clock = clock;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        DispatcherHealth h = dispatcher.health();
        Instant now = clock.instant();
        boolean stale = h.lastClaimAt() == null || h.lastClaimAt().plus(staleAfter).isBefore(now);
        if (!h.running()) {
            builder.down().withDetail("reason", "the dispatcher is not running");
        } else if (!unavailableChannels(h).isEmpty()) {
            builder.down().withDetail("reason", "every provider's circuit is open on " + unavailableChannels(h));
        } else if (stale) {
            builder.down().withDetail("reason", "no claim returned for more than " + staleAfter);
        } else {
            builder.up();
        }
        builder.withDetail("instance", dispatcher.instanceId())
                .withDetail("running", h.running())
                .withDetail("lastClaimAt", String.valueOf(h.lastClaimAt()))
                .withDetail("lastWriteAt", String.valueOf(h.lastWriteAt()))
                .withDetail("permitsFree", h.permitsFree())
                .withDetail("maxInFlight", h.maxInFlight())
                .withDetail("leaseBudget", h.leaseBudget())
                .withDetail("meanCallLatencyMs", h.meanCallLatency() == null ? null : h.meanCallLatency().toMillis())
                .withDetail("writeBacklog", h.writeBacklog())
                .withDetail("breakers", h.breakers());
    }

    /** The channels whose every provider has its breaker open: nothing goes out on them. */
    private static Set<String> unavailableChannels(DispatcherHealth h) {
        Map<String, Boolean> allOpen = new TreeMap<>();
        h.breakers().forEach((key, state) -> allOpen.merge(key.substring(0, key.indexOf('/')),
                state == OutboxListener.CircuitState.OPEN, Boolean::logicalAnd));
        Set<String> channels = new TreeSet<>();
        allOpen.forEach((channel, open) -> {
            if (open) {
                channels.add(channel);
            }
        });
        return channels;
    }
}

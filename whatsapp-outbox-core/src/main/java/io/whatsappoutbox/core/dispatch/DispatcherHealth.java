package io.whatsappoutbox.core.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dispatcher's liveness, from {@link Dispatcher#health()}.
 *
 * @param running started, not closed, and its claim threads alive
 * @param lastClaimAt when a claim last returned from the store (with or without messages), or null
 * @param lastWriteAt when results were last written, or null
 * @param permitsFree in-flight permits free: {@code maxInFlight} when nothing is claimed and not yet
 *     written; permits that never come back while the queue is full mean a stuck dispatcher
 * @param maxInFlight messages that may be claimed and not yet written, at most
 * @param leaseBudget messages that may be claimed and not yet written now: what the send slots can
 *     send within a lease at the mean call latency, at most {@code maxInFlight}
 * @param meanCallLatency the providers' mean call latency seen so far (their call timeout before the first call)
 * @param writeBacklog results waiting for the writer
 * @param breakers each provider's circuit breaker, {@code CHANNEL/provider} to its state, in failover order
 */
public record DispatcherHealth(boolean running, Instant lastClaimAt, Instant lastWriteAt, int permitsFree,
        int maxInFlight, int leaseBudget, Duration meanCallLatency, int writeBacklog,
        Map<String, OutboxListener.CircuitState> breakers) {

    public DispatcherHealth {
        breakers = Collections.unmodifiableMap(new LinkedHashMap<>(breakers));
    }

    /** True when a provider's breaker is open: its sends go to the next provider, or wait. */
    public boolean anyBreakerOpen() {
        return breakers.containsValue(OutboxListener.CircuitState.OPEN);
    }
}

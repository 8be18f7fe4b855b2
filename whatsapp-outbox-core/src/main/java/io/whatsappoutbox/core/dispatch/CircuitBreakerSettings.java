package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;

/**
 * When a provider's circuit opens and how it closes again, for each provider of a channel. Only
 * the provider's own outages count (PROVIDER_UNAVAILABLE: 503, timeouts, network failures), never
 * one message's error. Resilience4j runs it; these settings keep its types out of the library's API.
 *
 * <pre>{@code
 * CircuitBreakerSettings.defaults().withSlidingWindow(10, 5).withOpenFor(Duration.ofSeconds(5))
 * }</pre>
 *
 * @param failureRatePercent the share of failed calls among the last {@code slidingWindowCalls} that opens it
 * @param slidingWindowCalls how many recent calls are judged
 * @param minimumCalls calls needed before it judges at all
 * @param openFor how long it stays open before half-open probes
 * @param halfOpenProbes calls let through half-open to decide whether it closes
 */
public record CircuitBreakerSettings(int failureRatePercent, int slidingWindowCalls, int minimumCalls, Duration openFor,
        int halfOpenProbes) {

    public CircuitBreakerSettings {
        Violations v = new Violations();
        if (failureRatePercent < 1 || failureRatePercent > 100) {
            v.add("failureRatePercent", "is " + failureRatePercent, "between 1 and 100");
        }
        if (slidingWindowCalls < 1) {
            v.add("slidingWindowCalls", "is " + slidingWindowCalls, "at least 1");
        }
        if (minimumCalls < 1 || minimumCalls > slidingWindowCalls) {
            v.add("minimumCalls", "is " + minimumCalls, "between 1 and slidingWindowCalls (" + slidingWindowCalls + ")");
        }
        if (v.requireNonNull("openFor", openFor) && (openFor.isNegative() || openFor.isZero())) {
            v.add("openFor", "is " + openFor, "longer than zero");
        }
        if (halfOpenProbes < 1) {
            v.add("halfOpenProbes", "is " + halfOpenProbes, "at least 1");
        }
        v.throwIfAny("circuit breaker settings");
    }

    /** Half of the last 20 calls failed (judged from 10), open 30 s, 3 half-open probes. */
    public static CircuitBreakerSettings defaults() {
        return new CircuitBreakerSettings(50, 20, 10, Duration.ofSeconds(30), 3);
    }

    public CircuitBreakerSettings withFailureRatePercent(int percent) {
        return new CircuitBreakerSettings(percent, slidingWindowCalls, minimumCalls, openFor, halfOpenProbes);
    }

    public CircuitBreakerSettings withSlidingWindow(int calls, int minimum) {
        return new CircuitBreakerSettings(failureRatePercent, calls, minimum, openFor, halfOpenProbes);
    }

    public CircuitBreakerSettings withOpenFor(Duration duration) {
        return new CircuitBreakerSettings(failureRatePercent, slidingWindowCalls, minimumCalls, duration, halfOpenProbes);
    }

    public CircuitBreakerSettings withHalfOpenProbes(int probes) {
        return new CircuitBreakerSettings(failureRatePercent, slidingWindowCalls, minimumCalls, openFor, probes);
    }
}

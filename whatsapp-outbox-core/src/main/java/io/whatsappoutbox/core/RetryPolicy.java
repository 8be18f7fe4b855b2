package io.whatsappoutbox.core;

import io.whatsappoutbox.core.ErrorClassification.RateLimitScope;
import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Turns a classified failure into a {@link RetryDecision}.
 *
 * <ul>
 *   <li>Retryable errors back off exponentially with full jitter: a delay drawn uniformly from
 *       {@code [0, min(maxDelay, baseDelay * 2^(attempt-1))]}, never shorter than the provider's
 *       {@code Retry-After} or the code's minimum delay.</li>
 *   <li>Rate limits reschedule without spending an attempt: to the provider's {@code Retry-After}
 *       or an exponential throttle; the pair rate to one recipient backs off {@code 4^n} seconds.
 *       An org-wide limit also throttles the org, so it stops calling the provider.</li>
 *   <li>A code that defers (a paused template) waits its minimum delay the same way, without an
 *       attempt.</li>
 *   <li>Permanent errors and exhausted attempts go to the dead letter.</li>
 * </ul>
 *
 * Immutable; {@link #toBuilder()} derives a variant.
 */
public final class RetryPolicy {
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Map<ErrorCategory, Integer> maxAttemptsByCategory;
    private final Duration throttleBase;
    private final Duration throttleCap;
    private final Duration pairRateCap;
    private final int maxDeferrals;
    private final DoubleSupplier random;

    private RetryPolicy(Builder b) {
        this.baseDelay = b.baseDelay;
        this.maxDelay = b.maxDelay;
        this.maxAttemptsByCategory = Map.copyOf(b.maxAttemptsByCategory);
        this.throttleBase = b.throttleBase;
        this.throttleCap = b.throttleCap;
        this.pairRateCap = b.pairRateCap;
        this.maxDeferrals = b.maxDeferrals;
        this.random = b.random;
    }

    public static RetryPolicy defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public int maxDeferrals() {
        return maxDeferrals;
    }

    /**
     * Decides after a failed attempt.
     *
     * @param classification what the error means
     * @param error the provider's error (for {@code Retry-After}), may be null
     * @param attemptsMade attempts spent including the one that just failed
     * @param messageMaxAttempts the message's own attempt budget
     * @param deferralsMade times the message was already rescheduled without an attempt
     * @param now the current time
     */
    public RetryDecision decide(ErrorClassification classification, ProviderError error, int attemptsMade,
            int messageMaxAttempts, int deferralsMade, Instant now) {
        Objects.requireNonNull(classification, "classification");
        Objects.requireNonNull(now, "now");
        Duration retryAfter = error == null || error.retryAfter() == null ? Duration.ZERO : error.retryAfter();
        ErrorCategory category = classification.category();
        if (category == ErrorCategory.RATE_LIMITED || classification.defers()) {
            if (deferralsMade >= maxDeferrals) {
                return new RetryDecision.DeadLetter("rescheduled " + deferralsMade
                        + " times without an attempt (limit " + maxDeferrals + ")");
            }
            Duration delay = classification.scope() == RateLimitScope.RECIPIENT
                    ? pairRateDelay(deferralsMade + 1)
                    : throttleDelay(deferralsMade);
            delay = longest(delay, retryAfter, classification.minimumDelay());
            Instant at = now.plus(delay);
            return new RetryDecision.Defer(at, classification.scope() == RateLimitScope.ORG ? at : null);
        }
        if (!category.retryable()) {
            return new RetryDecision.DeadLetter(category + " error " + classification.code() + " is not retryable");
        }
        int budget = Math.min(messageMaxAttempts, maxAttemptsByCategory.getOrDefault(category, Integer.MAX_VALUE));
        if (attemptsMade >= budget) {
            return new RetryDecision.DeadLetter("attempts exhausted (" + attemptsMade + " of " + budget + ")");
        }
        Duration delay = longest(jitteredBackoff(attemptsMade), retryAfter, classification.minimumDelay());
        return new RetryDecision.Retry(now.plus(delay));
    }

    /**
     * Reschedules a message that was not sent because its org is throttled or out of quota until
     * {@code until}: no attempt is spent, but the deferral budget is.
     */
    public RetryDecision deferUntil(Instant until, int deferralsMade) {
        if (deferralsMade >= maxDeferrals) {
            return new RetryDecision.DeadLetter("rescheduled " + deferralsMade
                    + " times without an attempt (limit " + maxDeferrals + ")");
        }
        return new RetryDecision.Defer(until, null);
    }

    /** Upper bound of the backoff after {@code attempt} failed attempts: never above maxDelay. */
    public Duration backoffCeiling(int attempt) {
        if (attempt <= 1) {
            return min(baseDelay, maxDelay);
        }
        int shift = Math.min(attempt - 1, 40);
        long millis = baseDelay.toMillis();
        long ceiling = millis > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : millis << shift;
        return min(Duration.ofMillis(ceiling), maxDelay);
    }

    /** A delay drawn uniformly from {@code [0, backoffCeiling(attempt)]}. */
    public Duration jitteredBackoff(int attempt) {
        double r = random.getAsDouble();
        if (r < 0 || r >= 1 || Double.isNaN(r)) {
            throw new IllegalStateException("random source must return values in [0, 1), got " + r);
        }
        return Duration.ofMillis((long) Math.floor(backoffCeiling(attempt).toMillis() * r));
    }

    /** Meta's pair rate: {@code 4^n} seconds after the n-th hit, capped. */
    public Duration pairRateDelay(int hit) {
        int n = Math.max(1, Math.min(hit, 15));
        return min(Duration.ofSeconds(1L << (2 * n)), pairRateCap);
    }

    /** An org throttle: doubles with each deferral, between half and all of the ceiling. */
    Duration throttleDelay(int deferralsMade) {
        int shift = Math.min(Math.max(deferralsMade, 0), 30);
        long ceiling = Math.min(throttleBase.toMillis() << shift, throttleCap.toMillis());
        double r = random.getAsDouble();
        return Duration.ofMillis((long) (ceiling * (0.5 + r / 2)));
    }

    private static Duration longest(Duration a, Duration b, Duration c) {
        Duration m = a.compareTo(b) >= 0 ? a : b;
        return m.compareTo(c) >= 0 ? m : c;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Settings with their defaults: base 10 s, cap 30 min, UNKNOWN errors 3 attempts. A message's
     * own budget is stored with it at enqueue ({@code OutboundMessageRequest.maxAttempts}, or the
     * store's default such as {@code JdbcOutbox.Builder.defaultMaxAttempts}): the policy caps it per
     * category, never raises it.
     */
    public static final class Builder {
        private Duration baseDelay = Duration.ofSeconds(10);
        private Duration maxDelay = Duration.ofMinutes(30);
        private final Map<ErrorCategory, Integer> maxAttemptsByCategory = new EnumMap<>(ErrorCategory.class);
        private Duration throttleBase = Duration.ofSeconds(2);
        private Duration throttleCap = Duration.ofMinutes(15);
        private Duration pairRateCap = Duration.ofHours(1);
        private int maxDeferrals = 100;
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Builder() {
            maxAttemptsByCategory.put(ErrorCategory.UNKNOWN, 3);
        }

        private Builder(RetryPolicy p) {
            baseDelay = p.baseDelay;
            maxDelay = p.maxDelay;
            maxAttemptsByCategory.putAll(p.maxAttemptsByCategory);
            throttleBase = p.throttleBase;
            throttleCap = p.throttleCap;
            pairRateCap = p.pairRateCap;
            maxDeferrals = p.maxDeferrals;
            random = p.random;
        }

        public Builder baseDelay(Duration baseDelay) {
            this.baseDelay = baseDelay;
            return this;
        }

        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
            return this;
        }

        /** Caps the attempts for one category below the message's budget. */
        public Builder maxAttempts(ErrorCategory category, int attempts) {
            maxAttemptsByCategory.put(Objects.requireNonNull(category, "category"), attempts);
            return this;
        }

        public Builder throttleBase(Duration throttleBase) {
            this.throttleBase = throttleBase;
            return this;
        }

        public Builder throttleCap(Duration throttleCap) {
            this.throttleCap = throttleCap;
            return this;
        }

        public Builder pairRateCap(Duration pairRateCap) {
            this.pairRateCap = pairRateCap;
            return this;
        }

        /** Reschedules without an attempt before the dead letter (a rate limit that never lifts). */
        public Builder maxDeferrals(int maxDeferrals) {
            this.maxDeferrals = maxDeferrals;
            return this;
        }

        /** The random source for jitter, returning values in [0, 1): tests pass a fixed one. */
        public Builder random(DoubleSupplier random) {
            this.random = random;
            return this;
        }

        public RetryPolicy build() {
            Violations v = new Violations();
            positive(v, "baseDelay", baseDelay);
            positive(v, "maxDelay", maxDelay);
            positive(v, "throttleBase", throttleBase);
            positive(v, "throttleCap", throttleCap);
            positive(v, "pairRateCap", pairRateCap);
            if (baseDelay != null && maxDelay != null && maxDelay.compareTo(baseDelay) < 0) {
                v.add("maxDelay", "is shorter than baseDelay", "maxDelay >= baseDelay");
            }
            maxAttemptsByCategory.forEach((c, n) -> v.range("maxAttempts[" + c + "]", n, 1,
                    OutboundMessageRequest.MAX_ATTEMPTS_LIMIT));
            v.range("maxDeferrals", maxDeferrals, 0, 10_000);
            v.requireNonNull("random", random);
            v.throwIfAny("retry policy");
            return new RetryPolicy(this);
        }

        private static void positive(Violations v, String field, Duration d) {
            if (v.requireNonNull(field, d) && (d.isNegative() || d.isZero())) {
                v.add(field, "is " + d, "a positive duration");
            }
        }
    }
}

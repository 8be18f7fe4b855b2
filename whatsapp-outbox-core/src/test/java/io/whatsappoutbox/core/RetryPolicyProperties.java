package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class RetryPolicyProperties {

    RetryPolicy policy(long baseMillis, long capMillis, double r) {
        return RetryPolicy.builder().baseDelay(Duration.ofMillis(baseMillis))
                .maxDelay(Duration.ofMillis(Math.max(baseMillis, capMillis))).random(() -> r).build();
    }

    @Property(tries = 3000)
    void ceilingIsMonotoneAndNeverAboveTheCap(@ForAll @LongRange(min = 1, max = 600_000) long base,
            @ForAll @LongRange(min = 1, max = 86_400_000) long cap, @ForAll @IntRange(min = 1, max = 200) int attempt) {
        RetryPolicy p = policy(base, cap, 0.5);
        Duration c = p.backoffCeiling(attempt);
        assertThat(c).isLessThanOrEqualTo(Duration.ofMillis(Math.max(base, cap)));
        assertThat(p.backoffCeiling(attempt + 1)).isGreaterThanOrEqualTo(c);
        assertThat(c).isPositive();
    }

    @Property(tries = 3000)
    void jitterStaysWithinZeroAndTheCeiling(@ForAll @LongRange(min = 1, max = 600_000) long base,
            @ForAll @LongRange(min = 1, max = 86_400_000) long cap, @ForAll @IntRange(min = 1, max = 60) int attempt,
            @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double r) {
        RetryPolicy p = policy(base, cap, r);
        Duration d = p.jitteredBackoff(attempt);
        assertThat(d).isGreaterThanOrEqualTo(Duration.ZERO).isLessThanOrEqualTo(p.backoffCeiling(attempt));
    }

    @Property(tries = 1000)
    void ceilingDoublesUntilTheCap(@ForAll @LongRange(min = 1, max = 10_000) long base,
            @ForAll @IntRange(min = 1, max = 20) int attempt) {
        RetryPolicy p = policy(base, Long.MAX_VALUE / 4, 0.5);
        assertThat(p.backoffCeiling(attempt + 1).toMillis()).isEqualTo(2 * p.backoffCeiling(attempt).toMillis());
    }

    @Property(tries = 1000)
    void pairRateDelayIsFourToTheNCapped(@ForAll @IntRange(min = 1, max = 40) int hit) {
        RetryPolicy p = RetryPolicy.defaults();
        long expected = Math.min((long) Math.pow(4, Math.min(hit, 15)), 3600);
        assertThat(p.pairRateDelay(hit)).isEqualTo(Duration.ofSeconds(expected));
    }
}

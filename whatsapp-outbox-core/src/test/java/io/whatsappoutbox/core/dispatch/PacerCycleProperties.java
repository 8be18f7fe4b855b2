package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Duration;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** A sender's permits come in short cycles, so that no second holds much more than its rate. */
class PacerCycleProperties {

    @Property
    void noSecondHoldsMoreThanTheRateAndTwoPercentPlusOne(@ForAll @IntRange(min = 1, max = 1_000_000) int rate) {
        Pacer.Cycle cycle = Pacer.Cycle.of(rate);

        assertThat(cycle.permits()).isBetween(1, rate);
        // any second holds its whole cycles and one cut at each end: rate / permits + 1 cycles at most
        long cyclesPerSecond = Duration.ofSeconds(1).toNanos() / cycle.length().toNanos() + 1;
        assertThat(cyclesPerSecond * cycle.permits()).isLessThanOrEqualTo((long) Math.floor(rate * 1.02) + 1);
    }

    @Property
    void thePaceNeverExceedsTheRate(@ForAll @IntRange(min = 1, max = 1_000_000) int rate) {
        Pacer.Cycle cycle = Pacer.Cycle.of(rate);

        double perSecond = cycle.permits() * 1e9 / cycle.length().toNanos();
        assertThat(perSecond).isLessThanOrEqualTo(rate).isGreaterThanOrEqualTo(rate * 0.999_999);
    }

    @Example
    void aNumberAtMetasDefaultPaceGetsTwoSendsAtOnceNotASecondsWorth() {
        RateLimiter limiter = Pacer.limiterFor("15550001111", 80, Duration.ZERO);

        int atOnce = 0;
        while (atOnce < 80 && limiter.acquirePermission()) {
            atOnce++;
        }

        // two per 25 ms cycle; a cycle boundary crossed during the loop may add two more
        assertThat(atOnce).isBetween(2, 4);
    }
}

package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the asynchronous path may claim: the pace while a call runs, within the lease, and the host's ceiling of calls. */
class LeaseBudgetTest {
    private static final Duration LEASE = Duration.ofSeconds(4);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    @Test
    void thePaceSizesTheClaimsWhenTheHostSetNoCeilingOfCalls() {
        LeaseBudget budget = new LeaseBudget(16, 20_000, LEASE, CALL_TIMEOUT, () -> 10_000, 100, Integer.MAX_VALUE);

        settle(budget, Duration.ofMillis(5));

        // 10,000/s for the 1.5 s of the call and a second of pacing, with half again as headroom
        assertThat(budget.limit()).isBetween(15_000, 15_100);
    }

    @Test
    void aHostsCeilingOfCallsClaimsNoMoreThanThoseCallsSendWithinTheLease() {
        LeaseBudget budget = new LeaseBudget(16, 20_000, LEASE, CALL_TIMEOUT, () -> 10_000, 100, 16);

        settle(budget, Duration.ofMillis(5));
        // 16 calls of 5 ms within the 1.6 s the lease leaves for starting calls
        assertThat(budget.limit()).isBetween(16 * 1_600 / 5 - 10, 16 * 1_600 / 5);

        settle(budget, Duration.ofSeconds(20));
        assertThat(budget.limit()).as("never below the calls themselves").isGreaterThanOrEqualTo(100);
    }

    /** The mean latency moves a tenth of the way per call: enough calls make it the latency seen. */
    private static void settle(LeaseBudget budget, Duration call) {
        for (int i = 0; i < 300; i++) {
            budget.observe(call);
        }
    }
}

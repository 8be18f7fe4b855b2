package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SendThreadsTest {
    private final ThreadPoolExecutor pool = SendThreads.pool(SendThreads.AUTO_MIN);
    private final LeaseBudget budget = new LeaseBudget(SendThreads.AUTO_MIN, 400, Duration.ofMinutes(2),
            Duration.ofSeconds(10));

    @AfterEach
    void shutDown() {
        pool.shutdownNow();
    }

    @Test
    void theSlotsTheyNeedAreThePaceTimesTheLatencyWithHeadroomWithinTheBounds() {
        assertThat(SendThreads.needed(80, Duration.ofMillis(250))).isEqualTo(25);
        assertThat(SendThreads.needed(80, Duration.ofMillis(20))).isEqualTo(SendThreads.AUTO_MIN);
        assertThat(SendThreads.needed(1_600, Duration.ofMillis(250))).isEqualTo(SendThreads.AUTO_MAX);
        assertThat(SendThreads.needed(0, Duration.ofSeconds(5))).isEqualTo(SendThreads.AUTO_MIN);
    }

    @Test
    void aSlowProviderGrowsTheDispatchersOwnThreadsAndWhatALeaseHolds() {
        SendThreads threads = new SendThreads(pool, pool, SendThreads.AUTO_MIN, budget);
        budget.observe(Duration.ofMillis(250));
        int heldBefore = budget.limit();

        threads.fitTo(80);

        assertThat(threads.size()).isEqualTo(25);
        assertThat(pool.getMaximumPoolSize()).isEqualTo(25);
        assertThat(pool.getCorePoolSize()).isEqualTo(25);
        assertThat(threads.freeSlots()).isEqualTo(25);
        assertThat(budget.limit()).isGreaterThanOrEqualTo(heldBefore);
    }

    @Test
    void theyNeverShrinkAndNeverGrowBeforeACallWasSeen() {
        SendThreads threads = new SendThreads(pool, pool, SendThreads.AUTO_MIN, budget);

        threads.fitTo(1_600);
        assertThat(threads.size()).as("the call timeout is not a latency seen").isEqualTo(SendThreads.AUTO_MIN);

        budget.observe(Duration.ofMillis(250));
        threads.fitTo(1_600);
        assertThat(threads.size()).isEqualTo(SendThreads.AUTO_MAX);
        for (int i = 0; i < 100; i++) {
            budget.observe(Duration.ofMillis(1));
        }
        threads.fitTo(1_600);
        assertThat(threads.size()).isEqualTo(SendThreads.AUTO_MAX);
    }

    @Test
    void aConcurrencyTheHostSetOrTheHostsExecutorStaysAsItIs() {
        SendThreads fixed = new SendThreads(pool, null, 8, budget);
        budget.observe(Duration.ofMillis(250));

        fixed.fitTo(1_600);

        assertThat(fixed.size()).isEqualTo(8);
        assertThat(pool.getMaximumPoolSize()).isEqualTo(SendThreads.AUTO_MIN);
    }
}

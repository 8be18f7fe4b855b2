package io.whatsappoutbox.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DbStatsTest {

    @Test
    void theVerboseLineGivesTimeBuffersCacheReadsAndPlanningPerCall() {
        DbStats stats = new DbStats(0, 0, 0, 0, 500, List.of(new DbStats.Top(500, 10_000.0, 100_000, 2_000_000, 500, 20,
                8.0, "UPDATE   outbound_message\n SET status = $1")), 0, 0);

        assertThat(stats.describeTop(8, 100_000)).containsExactly("     500 calls  0.005/msg   10000.0 ms"
                + " 20000.0 us/call    4001 buffers/call (1 read)    20 plans   400.0 us/plan"
                + "  UPDATE outbound_message SET status = $1");
    }
}

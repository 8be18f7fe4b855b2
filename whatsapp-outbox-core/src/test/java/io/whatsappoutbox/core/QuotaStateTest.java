package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class QuotaStateTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    @Test
    void countsWhatIsLeftInThePeriod() {
        QuotaState q = new QuotaState("org-1", 800, 1000, NOW.plusSeconds(3600), null);
        assertThat(q.remainingAt(NOW)).isEqualTo(200);
        assertThat(q.usagePercentAt(NOW)).isEqualTo(80.0);
        assertThat(q.blockedUntil(NOW)).isEmpty();
    }

    @Test
    void blocksUntilTheResetWhenUsedUp() {
        QuotaState q = new QuotaState("org-1", 1000, 1000, NOW.plusSeconds(3600), null);
        assertThat(q.remainingAt(NOW)).isZero();
        assertThat(q.blockedUntil(NOW)).contains(NOW.plusSeconds(3600));
    }

    @Test
    void aPastResetStartsAFreshPeriod() {
        QuotaState q = new QuotaState("org-1", 1000, 1000, NOW.minusSeconds(1), null);
        assertThat(q.remainingAt(NOW)).isEqualTo(1000);
        assertThat(q.blockedUntil(NOW)).isEmpty();
    }

    @Test
    void throttleWinsOverQuota() {
        QuotaState q = new QuotaState("org-1", 0, 1000, NOW.plusSeconds(3600), NOW.plusSeconds(30));
        assertThat(q.isThrottledAt(NOW)).isTrue();
        assertThat(q.blockedUntil(NOW)).contains(NOW.plusSeconds(30));
        assertThat(q.isThrottledAt(NOW.plusSeconds(30))).isFalse();
    }
}

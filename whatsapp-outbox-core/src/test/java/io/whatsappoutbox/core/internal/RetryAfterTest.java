package io.whatsappoutbox.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    static final Instant NOW = Instant.parse("2025-06-09T10:00:00Z");

    @Test
    void readsDelaySeconds() {
        assertThat(RetryAfter.parse("30", NOW)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse(" 0 ", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void readsAnHttpDateRelativeToNow() {
        assertThat(RetryAfter.parse("Mon, 09 Jun 2025 10:02:00 GMT", NOW)).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void aDateInThePastMeansNoWait() {
        assertThat(RetryAfter.parse("Mon, 09 Jun 2025 09:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void capsAbsurdDelays() {
        assertThat(RetryAfter.parse("99999999999999", NOW)).isEqualTo(Duration.ofDays(7));
        assertThat(RetryAfter.parse("Fri, 09 Jun 2045 10:00:00 GMT", NOW)).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void ignoresWhatItCannotRead() {
        assertThat(RetryAfter.parse(null, NOW)).isNull();
        assertThat(RetryAfter.parse("", NOW)).isNull();
        assertThat(RetryAfter.parse("-5", NOW)).isNull();
        assertThat(RetryAfter.parse("1.5", NOW)).isNull();
        assertThat(RetryAfter.parse("tomorrow", NOW)).isNull();
    }
}

package io.whatsappoutbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class TimesProperties {

    @Property(tries = 5000)
    void isoKeepsEveryDigitOfTheInstant(@ForAll @LongRange(min = -62_200_000_000L, max = 253_500_000_000L) long seconds,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nanos) {
        Instant t = Instant.ofEpochSecond(seconds, nanos);
        assertThat(Instant.parse(Times.iso(t))).isEqualTo(t);
    }

    @Property(tries = 2000)
    void isoWritesWhatInstantToStringWritesUpToTheFraction(
            @ForAll @LongRange(min = -62_135_596_800L, max = 253_402_300_799L) long seconds) {
        Instant t = Instant.ofEpochSecond(seconds);
        assertThat(Times.iso(t)).isEqualTo(t.toString());
    }

    @Example
    void isoPadsEveryFieldAndTheFraction() {
        assertThat(Times.iso(Instant.parse("0001-01-01T00:00:00Z"))).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(Times.iso(Instant.parse("2026-03-04T05:06:07.000008Z"))).isEqualTo("2026-03-04T05:06:07.000008000Z");
        assertThat(Times.iso(Instant.parse("9999-12-31T23:59:59.999999999Z")))
                .isEqualTo("9999-12-31T23:59:59.999999999Z");
        assertThat(Times.iso(null)).isNull();
    }
}

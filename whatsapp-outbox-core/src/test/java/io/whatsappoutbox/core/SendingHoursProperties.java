package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class SendingHoursProperties {
    static final Instant YEAR_START = Instant.parse("2026-01-01T00:00:00Z");

    /**
     * The wait always lands on an open instant, never before {@code now}, and the instant just
     * before it is closed: a held message goes at the first opening, not a later one.
     */
    @Property(tries = 2000)
    void theNextOpeningIsTheFirstOpenInstantFromNow(@ForAll("hours") SendingHours hours, @ForAll("zones") ZoneId zone,
            @ForAll @IntRange(min = 0, max = 365 * 24 * 60) int minutes) {
        Instant now = YEAR_START.plus(Duration.ofMinutes(minutes));
        Instant opens = hours.nextOpening(now, zone);
        assertThat(opens).isNotNull().isAfterOrEqualTo(now);
        assertThat(hours.nextOpening(opens, zone)).as("open at %s", opens).isEqualTo(opens);
        if (opens.isAfter(now)) {
            assertThat(hours.nextOpening(opens.minusSeconds(1), zone)).as("closed just before %s", opens).isEqualTo(opens);
            assertThat(Duration.between(now, opens)).isLessThanOrEqualTo(Duration.ofDays(8));
        }
    }

    @Provide
    Arbitrary<SendingHours> hours() {
        Arbitrary<LocalTime> times = Arbitraries.integers().between(0, 24 * 4 - 1).map(q -> LocalTime.of(q / 4, q % 4 * 15));
        Arbitrary<Set<DayOfWeek>> days = Arbitraries.of(DayOfWeek.class).set().ofMinSize(1).ofMaxSize(7);
        return net.jqwik.api.Combinators.combine(times, times, days).filter((o, c, d) -> !o.equals(c))
                .as((o, c, d) -> new SendingHours(o, c, d, ZoneId.of("UTC"), false));
    }

    @Provide
    Arbitrary<ZoneId> zones() {
        return Arbitraries.of("Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Apia",
                "America/Sao_Paulo", "UTC").map(ZoneId::of);
    }
}

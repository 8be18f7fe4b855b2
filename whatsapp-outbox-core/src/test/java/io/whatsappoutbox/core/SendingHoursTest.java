package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SendingHoursTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    final SendingHours officeHours = SendingHours.daily(LocalTime.of(9, 0), LocalTime.of(20, 0), PARIS)
            .on(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY);

    @Test
    void insideTheWindowAMessageGoesNow() {
        Instant wednesdayNoon = Instant.parse("2026-12-02T11:00:00Z");
        assertThat(officeHours.nextOpening(wednesdayNoon, PARIS)).isEqualTo(wednesdayNoon);
    }

    @Test
    void beforeTheOpeningItWaitsForTheOpeningInTheRecipientsZone() {
        Instant wednesdaySevenParis = Instant.parse("2026-12-02T06:00:00Z");
        assertThat(officeHours.nextOpening(wednesdaySevenParis, PARIS)).isEqualTo(Instant.parse("2026-12-02T08:00:00Z"));
        // the same instant is 01:00 in New York: 09:00 there is 14:00 UTC
        assertThat(officeHours.nextOpening(wednesdaySevenParis, ZoneId.of("America/New_York")))
                .isEqualTo(Instant.parse("2026-12-02T14:00:00Z"));
    }

    @Test
    void atTheClosingTimeTheWindowIsClosedUntilTheNextListedDay() {
        Instant fridayEightPm = Instant.parse("2026-12-04T19:00:00Z");
        assertThat(officeHours.nextOpening(fridayEightPm, PARIS)).isEqualTo(Instant.parse("2026-12-07T08:00:00Z"));
        Instant saturday = Instant.parse("2026-12-05T10:00:00Z");
        assertThat(officeHours.nextOpening(saturday, PARIS)).isEqualTo(Instant.parse("2026-12-07T08:00:00Z"));
    }

    @Test
    void aWindowThatClosesBeforeItOpensRunsPastMidnightAndBelongsToTheDayItOpens() {
        SendingHours evenings = new SendingHours(LocalTime.of(20, 0), LocalTime.of(2, 0), Set.of(DayOfWeek.FRIDAY),
                PARIS, false);
        assertThat(evenings.nextOpening(Instant.parse("2026-12-05T00:30:00Z"), PARIS)) // Saturday 01:30 Paris
                .isEqualTo(Instant.parse("2026-12-05T00:30:00Z"));
        assertThat(evenings.nextOpening(Instant.parse("2026-12-05T01:00:00Z"), PARIS)) // Saturday 02:00: closed
                .isEqualTo(Instant.parse("2026-12-11T19:00:00Z"));
        assertThat(evenings.nextOpening(Instant.parse("2026-12-04T12:00:00Z"), PARIS))
                .isEqualTo(Instant.parse("2026-12-04T19:00:00Z"));
    }

    @Test
    void acrossTheAutumnChangeTheNextOpeningIsAtTheLocalTimeUnderTheNewOffset() {
        // Saturday 24 October 2026, 21:30 in Paris (UTC+2); clocks go back to UTC+1 that night
        Instant saturdayEvening = Instant.parse("2026-10-24T19:30:00Z");
        SendingHours everyDay = SendingHours.daily(LocalTime.of(9, 0), LocalTime.of(20, 0), PARIS);
        assertThat(everyDay.nextOpening(saturdayEvening, PARIS)).isEqualTo(Instant.parse("2026-10-25T08:00:00Z"));
    }

    @Test
    void anOpeningTimeTheSpringChangeSkipsOpensRightAfterTheGap() {
        // Sunday 29 March 2026: 02:00 in Paris jumps to 03:00; a window from 02:30 opens at 03:30 CEST
        SendingHours early = SendingHours.daily(LocalTime.of(2, 30), LocalTime.of(6, 0), PARIS);
        Instant before = Instant.parse("2026-03-29T00:00:00Z"); // 01:00 CET
        assertThat(early.nextOpening(before, PARIS)).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
    }

    @Test
    void aWindowOfNoLengthOrNoDayIsRefusedNamingTheField() {
        assertThatThrownBy(() -> SendingHours.daily(LocalTime.NOON, LocalTime.NOON, PARIS))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("closes");
        assertThatThrownBy(() -> new SendingHours(LocalTime.of(9, 0), LocalTime.of(18, 0), Set.of(), PARIS, false))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("days");
        assertThatThrownBy(() -> SendingHours.daily(LocalTime.of(9, 0), LocalTime.of(18, 0), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("defaultZone");
    }
}

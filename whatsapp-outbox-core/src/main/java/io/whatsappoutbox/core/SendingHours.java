package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * When an org's messages may reach its customers, in each recipient's own time zone: from
 * {@code opens} to {@code closes} on the listed days (a window that closes before it opens runs past
 * midnight, into the next day). Marketing messages outside it wait for the next opening without
 * spending an attempt; transactional ones go at any hour unless {@code holdsTransactional}.
 *
 * @param days the days a window opens on (an overnight window belongs to the day it opens)
 * @param defaultZone the zone of recipients whose zone neither the message nor the number tells
 */
public record SendingHours(LocalTime opens, LocalTime closes, Set<DayOfWeek> days, ZoneId defaultZone,
        boolean holdsTransactional) {

    public SendingHours {
        Violations v = new Violations();
        v.requireNonNull("opens", opens);
        v.requireNonNull("closes", closes);
        if (opens != null && opens.equals(closes)) {
            v.add("closes", "equals opens (" + opens + ")", "a window of some length: a different time than opens");
        }
        if (days == null || days.isEmpty()) {
            v.add("days", "is empty", "at least one day of the week");
        }
        v.requireNonNull("defaultZone", defaultZone);
        v.throwIfAny("sending hours");
        days = Set.copyOf(EnumSet.copyOf(days));
    }

    /** Every day from {@code opens} to {@code closes}, marketing only, recipients of unknown zone in {@code defaultZone}. */
    public static SendingHours daily(LocalTime opens, LocalTime closes, ZoneId defaultZone) {
        return new SendingHours(opens, closes, EnumSet.allOf(DayOfWeek.class), defaultZone, false);
    }

    public SendingHours on(DayOfWeek first, DayOfWeek... more) {
        return new SendingHours(opens, closes, EnumSet.of(first, more), defaultZone, holdsTransactional);
    }

    public SendingHours holdingTransactional(boolean holds) {
        return new SendingHours(opens, closes, days, defaultZone, holds);
    }

    /**
     * When a message to a recipient in {@code zone} may go: {@code now} inside a window, else the
     * next opening. A local time that a DST change skips opens at the first instant after the gap.
     */
    public Instant nextOpening(Instant now, ZoneId zone) {
        LocalDate today = now.atZone(zone).toLocalDate();
        Instant next = null;
        // yesterday's window may still run past midnight; a week ahead always holds a listed day
        for (LocalDate d = today.minusDays(1); !d.isAfter(today.plusDays(7)); d = d.plusDays(1)) {
            if (!days.contains(d.getDayOfWeek())) {
                continue;
            }
            Instant start = ZonedDateTime.of(d, opens, zone).toInstant();
            Instant end = ZonedDateTime.of(closes.isAfter(opens) ? d : d.plusDays(1), closes, zone).toInstant();
            if (!now.isBefore(start) && now.isBefore(end)) {
                return now;
            }
            if (start.isAfter(now) && (next == null || start.isBefore(next))) {
                next = start;
            }
        }
        return next;
    }
}

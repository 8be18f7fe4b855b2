package io.whatsappoutbox.jdbc.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Instants to and from {@code timestamptz}, always in UTC, never through the JVM's zone. Internal. */
public final class Times {
    private static final long FIRST_SECOND_OF_YEAR_1 = -62_135_596_800L;
    private static final long FIRST_SECOND_OF_YEAR_10000 = 253_402_300_800L;
    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private Times() {}

    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /**
     * For a {@code ?::timestamptz[]} parameter bound as text: ISO 8601 in UTC, every digit of the
     * instant kept. Written out by hand because the dispatcher binds one per message it completes,
     * and {@link Instant#toString()} (a {@code DateTimeFormatter}) was 5 % of its threads' time.
     */
    public static String iso(Instant instant) {
        if (instant == null) {
            return null;
        }
        long seconds = instant.getEpochSecond();
        if (seconds < FIRST_SECOND_OF_YEAR_1 || seconds >= FIRST_SECOND_OF_YEAR_10000) {
            return instant.toString();
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(30);
        digits(b, t.getYear(), 4).append('-');
        digits(b, t.getMonthValue(), 2).append('-');
        digits(b, t.getDayOfMonth(), 2).append('T');
        digits(b, t.getHour(), 2).append(':');
        digits(b, t.getMinute(), 2).append(':');
        digits(b, t.getSecond(), 2);
        if (instant.getNano() != 0) {
            digits(b.append('.'), instant.getNano(), 9);
        }
        return b.append('Z').toString();
    }

    /** {@code value} (not negative) in at least {@code width} digits, zeros in front. */
    private static StringBuilder digits(StringBuilder b, int value, int width) {
        for (int bound = POWERS_OF_TEN[width - 1]; bound > 1 && value < bound; bound /= 10) {
            b.append('0');
        }
        return b.append(value);
    }

    public static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        return instant(rs, rs.findColumn(column));
    }
}

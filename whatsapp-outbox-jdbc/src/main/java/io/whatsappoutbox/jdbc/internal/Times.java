package io.whatsappoutbox.jdbc.internal;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.postgresql.PGResultSetMetaData;

/** Instants to and from {@code timestamptz}, always in UTC, never through the JVM's zone. Internal. */
public final class Times {
    private static final long FIRST_SECOND_OF_YEAR_1 = -62_135_596_800L;
    private static final long FIRST_SECOND_OF_YEAR_10000 = 253_402_300_800L;
    /** 2000-01-01T00:00:00Z, where PostgreSQL's binary timestamps count from. */
    private static final long POSTGRES_EPOCH_SECOND = 946_684_800L;
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

    /**
     * Whether the server sends {@code column} in binary: the driver switches a statement to binary
     * results once it has prepared it on the server (after a few runs), so this is asked once per
     * result set, never assumed.
     */
    public static boolean sentInBinary(ResultSet rs, int column) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        return meta.isWrapperFor(PGResultSetMetaData.class)
                && meta.unwrap(PGResultSetMetaData.class).getFormat(column) == 1;
    }

    /**
     * A {@code timestamptz} column that {@link #sentInBinary} said comes in binary, read from its
     * eight bytes (microseconds since 2000-01-01 UTC): the driver's own conversion goes through a
     * calendar and an {@code OffsetDateTime}, and every claimed message has three of these.
     */
    public static Instant instant(ResultSet rs, int column, boolean binary) throws SQLException {
        if (!binary) {
            return instant(rs, column);
        }
        byte[] b = rs.getBytes(column);
        if (b == null) {
            return null;
        }
        if (b.length != 8) {
            return instant(rs, column); // not what was announced: the driver decides
        }
        long micros = 0;
        for (byte x : b) {
            micros = (micros << 8) | (x & 0xFF);
        }
        if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
            return instant(rs, column); // infinity: the driver's answer, whatever it is
        }
        return Instant.ofEpochSecond(POSTGRES_EPOCH_SECOND + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        return instant(rs, rs.findColumn(column));
    }
}

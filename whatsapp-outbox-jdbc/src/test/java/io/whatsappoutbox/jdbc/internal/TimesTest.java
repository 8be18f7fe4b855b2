package io.whatsappoutbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Timestamps read back from a real server, in the text and the binary transfer format. */
class TimesTest {
    private static final String SELECT = """
            SELECT t, t::text AS shown, n FROM unnest(?::timestamptz[]) WITH ORDINALITY AS u(t, n)
            UNION ALL SELECT NULL, NULL, 1000001
            UNION ALL SELECT 'infinity'::timestamptz, 'infinity', 1000002
            UNION ALL SELECT '-infinity'::timestamptz, '-infinity', 1000003
            ORDER BY n""";

    @Test
    void binaryTimestampsReadTheSameInstantsAsTheDriver() throws SQLException {
        assertReadsAsTheDriverDoes("-1", true);
    }

    @Test
    void textTimestampsReadTheSameInstantsAsTheDriver() throws SQLException {
        assertReadsAsTheDriverDoes("0", false);
    }

    /** {@code prepareThreshold} -1 makes the driver ask for binary results at once, 0 never. */
    private static void assertReadsAsTheDriverDoes(String prepareThreshold, boolean binary) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", "postgres");
        props.setProperty("prepareThreshold", prepareThreshold);
        List<String> values = instants().stream().map(Times::iso).toList();
        try (Connection c = DriverManager.getConnection(TestDatabase.jdbcUrl("postgres"), props);
                PreparedStatement p = c.prepareStatement(SELECT)) {
            p.setArray(1, c.createArrayOf("text", values.toArray()));
            try (ResultSet rs = p.executeQuery()) {
                assertThat(Times.sentInBinary(rs, 1)).isEqualTo(binary);
                assertThat(Times.sentInBinary(rs, 2)).isFalse();
                int rows = 0;
                int nulls = 0;
                while (rs.next()) {
                    Instant read = Times.instant(rs, 1, binary);
                    assertThat(read).as(rs.getString(2)).isEqualTo(Times.instant(rs, 1));
                    if (read == null) {
                        nulls++;
                    } else if (rows < values.size()) {
                        // whole microseconds, as the server keeps them: they come back exactly
                        assertThat(read).isEqualTo(Instant.parse(values.get(rows)));
                    }
                    rows++;
                }
                assertThat(rows).isEqualTo(values.size() + 3);
                assertThat(nulls).isEqualTo(1);
            }
        }
    }

    /** Before and after 2000-01-01 (where binary timestamps count from), at whole microseconds. */
    private static List<Instant> instants() {
        List<Instant> list = new ArrayList<>(List.of(Instant.parse("2000-01-01T00:00:00Z"),
                Instant.parse("1999-12-31T23:59:59.999999Z"), Instant.parse("2000-01-01T00:00:00.000001Z"),
                Instant.parse("1970-01-01T00:00:00Z"), Instant.parse("0001-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999Z"), Instant.parse("2026-11-29T12:16:49.301123Z")));
        Random random = new Random(29);
        for (int i = 0; i < 2_000; i++) {
            long seconds = -62_135_596_800L + (long) (random.nextDouble() * (253_402_300_799L + 62_135_596_800L));
            list.add(Instant.ofEpochSecond(seconds, random.nextInt(1_000_000) * 1_000L));
        }
        return list;
    }
}

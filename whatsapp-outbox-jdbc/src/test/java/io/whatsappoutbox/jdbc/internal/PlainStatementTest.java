package io.whatsappoutbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.TimeZone;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PlainStatementTest {
    static HikariDataSource ds;
    static Jdbi jdbi;

    @BeforeAll
    static void start() {
        ds = TestDatabase.newEmptyDatabase(2);
        jdbi = Jdbis.create(ds);
    }

    @AfterAll
    static void stop() {
        ds.close();
    }

    @Test
    void aNameUsedTwiceIsBoundAtBothPlaces() throws SQLException {
        PlainStatement s = new PlainStatement(jdbi, "SELECT :a::int + :a::int AS twice, :b::int AS once");
        try (Connection c = ds.getConnection(); PlainStatement.Bound q = s.prepare(c).set("a", 20).set("b", 2);
                ResultSet rs = q.statement().executeQuery()) {
            rs.next();
            assertThat(rs.getInt("twice")).isEqualTo(40);
            assertThat(rs.getInt("once")).isEqualTo(2);
        }
    }

    @Test
    void castsAndColonsInsideStringsAreNotParameters() throws SQLException {
        PlainStatement s = new PlainStatement(jdbi, "SELECT ':not_a_name' AS literal, :v::text AS v, '10:30'::time AS t");
        assertThat(s.names()).containsExactly("v");
        try (Connection c = ds.getConnection(); PlainStatement.Bound q = s.prepare(c).set("v", "x");
                ResultSet rs = q.statement().executeQuery()) {
            rs.next();
            assertThat(rs.getString("literal")).isEqualTo(":not_a_name");
            assertThat(rs.getString("v")).isEqualTo("x");
        }
    }

    @Test
    void arraysTravelWithTheirElementType() throws SQLException {
        PlainStatement s = new PlainStatement(jdbi,
                "SELECT sum(i) AS total, string_agg(t, ',' ORDER BY t) AS texts, count(n) AS not_null"
                        + " FROM unnest(:ids::bigint[], :texts::text[], :maybe::int[]) AS u(i, t, n)");
        try (Connection c = ds.getConnection();
                PlainStatement.Bound q = s.prepare(c)
                        .array("ids", "bigint", new Long[] {1L, 2L, 5_000_000_000L})
                        .array("texts", "text", new String[] {"b", "a,\"quoted\"", "c"})
                        .array("maybe", "integer", new Integer[] {null, 7, null});
                ResultSet rs = q.statement().executeQuery()) {
            rs.next();
            assertThat(rs.getLong("total")).isEqualTo(5_000_000_003L);
            assertThat(rs.getString("texts")).isEqualTo("a,\"quoted\",b,c");
            assertThat(rs.getInt("not_null")).isEqualTo(1);
        }
    }

    @Test
    void instantsAreBoundInUtcWhateverTheJvmZone() throws SQLException {
        TimeZone before = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
        try {
            PlainStatement s = new PlainStatement(jdbi,
                    "SELECT :t::timestamptz = '2026-11-28T10:00:00Z'::timestamptz AS same");
            try (Connection c = ds.getConnection();
                    PlainStatement.Bound q = s.prepare(c).set("t", Instant.parse("2026-11-28T10:00:00Z"));
                    ResultSet rs = q.statement().executeQuery()) {
                rs.next();
                assertThat(rs.getBoolean("same")).isTrue();
            }
        } finally {
            TimeZone.setDefault(before);
        }
    }

    @Test
    void bindingANameTheStatementLacksNamesIt() throws SQLException {
        PlainStatement s = new PlainStatement(jdbi, "SELECT :known::int");
        try (Connection c = ds.getConnection(); PlainStatement.Bound q = s.prepare(c)) {
            assertThatThrownBy(() -> q.set("unknown", 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(":unknown");
        }
    }

    @Test
    void positionalStatementsAreRefused() {
        assertThatThrownBy(() -> new PlainStatement(jdbi, "SELECT ?::int"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(":named");
    }
}

package io.whatsappoutbox.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's bookkeeping on a tiny run; its timings are never asserted. */
class OutboxBenchmarkTest {

    @Test
    void aTinyRunDrainsEveryMessageOfEveryContenderAndEndsWithTheResultLine() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BenchOptions options = BenchOptions.parse("--fsync-off-only", "--scales", "500", "--warmup", "0", "--rate", "40",
                "--steady-seconds", "1", "--idle-probes", "3", "--same-jvm");

        List<Figures> figures = OutboxBenchmark.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertThat(figures).extracting(Figures::contender).containsExactlyInAnyOrder("floor/200", "floor/1", "library",
                "library+meta-http", "db-scheduler", "transaction-outbox");
        assertThat(figures).allSatisfy(f -> {
            assertThat(f.mode()).isEqualTo("fsync-off");
            assertThat(f.messages()).isEqualTo(500);
            assertThat(f.distinct()).as("%s drained every message", f.contender()).isEqualTo(500);
            assertThat(f.calls()).isGreaterThanOrEqualTo(500);
            assertThat(f.latency()).as("%s latency", f.contender()).isNotNull();
            assertThat(f.latency().steadySamples()).isPositive();
            assertThat(f.latency().idleSamples()).isEqualTo(3);
        });
        assertThat(figures).filteredOn(f -> f.contender().startsWith("floor") || f.contender().startsWith("library"))
                .allSatisfy(f -> assertThat(f.bloat()).isNotNull());
        assertThat(figures).filteredOn(f -> f.contender().equals("library"))
                .singleElement().satisfies(f -> assertThat(f.commitsPerMessage()).isPositive());
        String text = bytes.toString(StandardCharsets.UTF_8);
        String last = text.strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(last).matches("RESULT floor_mps=\\d+ library_mps=\\d+ dbscheduler_mps=\\d+ gruelbox_mps=\\d+"
                + " ratio_floor=\\d+\\.\\d\\d ratio_dbscheduler=\\d+\\.\\d\\d ratio_gruelbox=\\d+\\.\\d\\d");
        assertThat(text).contains("fsync-off").contains("claim index");
    }

    @Test
    void eachContenderRunsInAJvmOfItsOwnAndItsFiguresComeBack() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BenchOptions options = BenchOptions.parse("--durable-only", "--scales", "300,600", "--warmup", "200", "--rate",
                "40", "--steady-seconds", "1", "--idle-probes", "2", "--only", "floor/200,library");

        List<Figures> figures = OutboxBenchmark.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertThat(figures).extracting(f -> f.contender() + "@" + f.messages())
                .containsExactly("floor/200@300", "library@300", "floor/200@600", "library@600");
        assertThat(figures).allSatisfy(f -> {
            assertThat(f.mode()).isEqualTo("durable");
            assertThat(f.distinct()).as("%s drained every message", f.contender()).isEqualTo(f.messages());
            assertThat(f.jvmCpuPerMessage()).isPositive();
        });
        assertThat(figures).filteredOn(f -> f.messages() == 300).allSatisfy(f -> assertThat(f.latency()).isNotNull());
        String text = bytes.toString(StandardCharsets.UTF_8);
        // the children's progress reaches this stream: their warm-up, then each measured run
        assertThat(text).contains("library: warming up, 200 messages through two instances")
                .contains("floor/200, backlog 600: ").contains("library, backlog 600: ");
        assertThat(text.strip().lines().reduce((a, b) -> b).orElseThrow()).startsWith("RESULT floor_mps=");
    }

    @Test
    void autovacuumIsSwitchedOffOnEveryTableOfTheSchemaAndTheirOtherSettingsKept() throws Exception {
        try (BenchServer server = BenchServer.start(BenchServer.Mode.FSYNC_OFF)) {
            String db = server.createDatabase("autovacuum_test");
            try (HikariDataSource pool = server.pool(db, 1, "test"); Connection c = pool.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE queue (id bigint PRIMARY KEY) WITH (fillfactor = 90)");
                s.execute("CREATE TABLE \"Mixed Case\" (id bigint)");

                s.execute(BenchRunner.AUTOVACUUM_OFF);

                try (ResultSet rs = s.executeQuery("SELECT relname, array_to_string(reloptions, ',') FROM pg_class"
                        + " WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("Mixed Case");
                    assertThat(rs.getString(2)).isEqualTo("autovacuum_enabled=false");
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("queue");
                    assertThat(rs.getString(2)).isEqualTo("fillfactor=90,autovacuum_enabled=false");
                    assertThat(rs.next()).isFalse();
                }
            }
        }
    }

    @Test
    void aContendersJvmGetsTheSameOptions() {
        BenchOptions options = BenchOptions.parse("--scales", "300,600", "--batch", "50", "--threads", "3", "--orgs", "2",
                "--rate", "40", "--steady-seconds", "2", "--idle-probes", "5", "--peer-max-scale", "300", "--warmup", "0",
                "--only", "library", "--verbose");

        BenchOptions child = BenchOptions.parse(options.childArgs().toArray(String[]::new));

        assertThat(child).isEqualTo(options);
        assertThat(BenchOptions.parse().warmup()).isEqualTo(200_000);
        assertThat(BenchOptions.parse().sameJvm()).isFalse();
    }

    @Test
    void theFullRunAddsAMillionAndBadOptionsAreRefusedByName() {
        assertThat(BenchOptions.parse().scales()).containsExactly(10_000, 100_000);
        assertThat(BenchOptions.parse("--full").scales()).containsExactly(10_000, 100_000, 1_000_000);
        assertThat(BenchOptions.parse("--durable-only").fsyncOff()).isFalse();
        assertThat(BenchOptions.parse("--help").help()).isTrue();
        assertThatThrownBy(() -> BenchOptions.parse("--scales", "ten")).hasMessageContaining("--scales");
        assertThatThrownBy(() -> BenchOptions.parse("--fast")).hasMessageContaining("unknown option --fast");
        assertThatThrownBy(() -> BenchOptions.parse("--durable-only", "--fsync-off-only"))
                .hasMessageContaining("exclude each other");
    }
}

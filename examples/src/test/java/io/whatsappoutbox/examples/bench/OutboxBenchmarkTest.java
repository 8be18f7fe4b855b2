package io.whatsappoutbox.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
                "--steady-seconds", "1", "--idle-probes", "3", "--same-jvm", "--rounds", "2");

        List<Figures> figures = OutboxBenchmark.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertThat(figures).extracting(Figures::contender).containsExactlyInAnyOrder("floor/200", "floor/1", "library",
                "library+meta-http", "db-scheduler", "transaction-outbox");
        assertThat(figures).allSatisfy(f -> {
            assertThat(f.mode()).isEqualTo("fsync-off");
            assertThat(f.messages()).isEqualTo(500);
            assertThat(f.distinct()).as("%s drained every message", f.contender()).isEqualTo(500);
            assertThat(f.calls()).isGreaterThanOrEqualTo(500);
            assertThat(f.startMillis()).as("%s start", f.contender()).isNotNegative();
            assertThat(f.latency()).as("%s latency", f.contender()).isNotNull();
            assertThat(f.latency().steadySamples()).isPositive();
            assertThat(f.latency().idleSamples()).isEqualTo(3);
        });
        assertThat(figures).filteredOn(f -> f.contender().startsWith("floor") || f.contender().startsWith("library"))
                .allSatisfy(f -> assertThat(f.bloat()).isNotNull());
        assertThat(figures).filteredOn(f -> f.contender().equals("library"))
                .singleElement().satisfies(f -> assertThat(f.commitsPerMessage()).isPositive());
        // the floor and the library ran two rounds in this JVM, the others one
        assertThat(figures).allSatisfy(f -> assertThat(f.roundRates())
                .hasSize(f.contender().equals("floor/200") || f.contender().equals("library") ? 2 : 1)
                .contains(f.drainPerSecond()));
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
                "40", "--steady-seconds", "1", "--idle-probes", "2", "--only", "floor/200,library", "--rounds", "2");

        List<Figures> figures = OutboxBenchmark.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertThat(figures).extracting(f -> f.contender() + "@" + f.messages())
                .containsExactly("floor/200@300", "library@300", "floor/200@600", "library@600");
        assertThat(figures).allSatisfy(f -> {
            assertThat(f.mode()).isEqualTo("durable");
            assertThat(f.distinct()).as("%s drained every message", f.contender()).isEqualTo(f.messages());
            assertThat(f.jvmCpuPerMessage()).isPositive();
        });
        assertThat(figures).filteredOn(f -> f.messages() == 300).allSatisfy(f -> {
            assertThat(f.latency()).isNotNull();
            assertThat(f.roundRates()).containsExactly(f.drainPerSecond());
        });
        // the RESULT line's backlog: one more round each, in fresh JVMs, and the lower middle round kept
        assertThat(figures).filteredOn(f -> f.messages() == 600).allSatisfy(f -> {
            assertThat(f.roundRates()).hasSize(2);
            assertThat(f.drainPerSecond()).isEqualTo(f.roundRates().stream().min(Double::compare).orElseThrow());
        });
        String text = bytes.toString(StandardCharsets.UTF_8);
        // the children's progress reaches this stream: their warm-up, then each measured run
        assertThat(text).containsPattern("library: warming up, untimed, 100 messages per instance until one drains"
                + " with the compiler quiet; % of each drain spent compiling:( \\d+\\.\\d){2,8}\\R")
                .contains("floor/200, backlog 600: ").contains("library, backlog 600: ")
                .contains("round 2 of 2, backlog 600").contains("library /floor/200 round by round: ");
        assertThat(text.lines().filter(l -> l.startsWith("   library, backlog 600: "))).hasSize(2);
        assertThat(text.strip().lines().reduce((a, b) -> b).orElseThrow()).startsWith("RESULT floor_mps=");
    }

    @Test
    void autovacuumIsSwitchedOffOnEveryTableOfTheSchemaAndTheirOtherSettingsKept() throws Exception {
        try (BenchServer server = BenchServer.start(BenchServer.Mode.FSYNC_OFF, false)) {
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
                "--only", "library", "--verbose", "--rounds", "5", "--no-latency");

        BenchOptions child = BenchOptions.parse(options.childArgs().toArray(String[]::new));

        assertThat(child).isEqualTo(options);
        assertThat(BenchOptions.parse().warmup()).isEqualTo(200_000);
        assertThat(BenchOptions.parse().sameJvm()).isFalse();
        assertThat(BenchOptions.parse().rounds()).isEqualTo(3);
        assertThat(BenchOptions.parse().resultMode()).isEqualTo(BenchServer.Mode.DURABLE);
        assertThat(BenchOptions.parse("--fsync-off-only").resultMode()).isEqualTo(BenchServer.Mode.FSYNC_OFF);
        assertThat(BenchOptions.parse().latency()).isTrue();
    }

    @Test
    void anExtraRoundDrainsOneBacklogWithoutLatencyRuns() {
        BenchOptions round = BenchOptions.parse("--scales", "300,600", "--only", "floor/200,library").forRound(600);

        assertThat(round.scales()).containsExactly(600);
        assertThat(round.latency()).isFalse();
        assertThat(round.only()).containsExactly("floor/200", "library");
    }

    @Test
    void theMedianRoundIsKeptWithTheFirstRoundsLatency() {
        Figures.Latency latency = new Figures.Latency(500, 10, 1, 2, 3, 4, 5);
        Figures first = figures(120, latency);

        Figures median = first.withRounds(List.of(figures(90, null), figures(100, null)));

        assertThat(median.drainPerSecond()).isEqualTo(100);
        assertThat(median.databaseCpuPerMessage()).isEqualTo(100 * 2);
        assertThat(median.latency()).isSameAs(latency);
        assertThat(median.roundRates()).containsExactly(120.0, 90.0, 100.0);
        // an even count keeps the lower middle round
        assertThat(first.withRounds(List.of(figures(90, null))).drainPerSecond()).isEqualTo(90);
    }

    @Test
    void theWarmUpGoesOnUntilADrainRanOnCompiledCodeAfterTwoInstancesAtLeastAndEightAtMost() {
        // 600 messages at 100/s: a 6 s drain, so 60 ms of compilation is 1 %
        Figures quiet = withJit(60);
        Figures busy = withJit(600);

        assertThat(OutboxBenchmark.warmedUp(0, null)).isFalse();
        assertThat(OutboxBenchmark.warmedUp(1, quiet)).as("a second instance compiles again").isFalse();
        assertThat(OutboxBenchmark.warmedUp(2, quiet)).isTrue();
        assertThat(OutboxBenchmark.warmedUp(2, busy)).isFalse();
        assertThat(OutboxBenchmark.warmedUp(7, busy)).isFalse();
        assertThat(OutboxBenchmark.warmedUp(8, busy)).as("the warm-up has a bound").isTrue();
        assertThat(quiet.jitShare()).isCloseTo(0.01, within(1e-9));
    }

    private static Figures withJit(double jitMillis) {
        Figures f = figures(100, null);
        return new Figures(f.mode(), f.contender(), f.messages(), f.enqueuePerSecond(), f.drainPerSecond(),
                f.startMillis(), f.distinct(), f.calls(), f.statementsPerMessage(), f.commitsPerMessage(),
                f.tuplesPerMessage(), f.heapPeakMb(), f.databaseCpuPerMessage(), f.jvmCpuPerMessage(),
                f.vacuumCpuPerMessage(), f.walBytesPerMessage(), f.checkpoints(), jitMillis, f.bloat(), f.latency(),
                f.topStatements(), f.roundRates());
    }

    private static Figures figures(double rate, Figures.Latency latency) {
        return new Figures("durable", "library", 600, 1, rate, 5, 600, 600, 0.02, 0.01, 3, 10, rate * 2, 20, 1, 2000, 0,
                rate / 10, null, latency, List.of(), List.of(rate));
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

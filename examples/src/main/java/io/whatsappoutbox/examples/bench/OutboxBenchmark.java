package io.whatsappoutbox.examples.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.jdbc.OutboxMigrator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * Throughput and latency of the library against the floor of its own design (plain JDBC) and
 * against two peers, side by side in one run on embedded PostgreSQL 17, with fsync off and
 * durable. Ends with one machine-readable {@code RESULT} line. {@code --help} lists the options.
 */
public final class OutboxBenchmark {
    private OutboxBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        quietLogging();
        run(options, System.out);
    }

    /** Runs every mode and contender the options select; prints the report; returns every figure. */
    static List<Figures> run(BenchOptions options, PrintStream out) throws Exception {
        out.println("whatsapp-outbox benchmark");
        out.println("machine: " + machine());
        out.printf("settings: batch %d, threads %d, orgs %d, backlogs %s, slow contenders up to %d, steady load %d msg/s"
                        + " for %d s, %d idle probes%n", options.batch(), options.threads(), options.orgs(),
                options.scales(), options.peerMaxScale(), options.steadyRate(), options.steadySeconds(),
                options.idleProbes());
        Report report = new Report(out);
        List<Figures> all = new ArrayList<>();
        List<Figures> last = List.of();
        boolean warm = false;
        for (BenchServer.Mode mode : BenchServer.Mode.values()) {
            if ((mode == BenchServer.Mode.FSYNC_OFF && !options.fsyncOff())
                    || (mode == BenchServer.Mode.DURABLE && !options.durable())) {
                continue;
            }
            try (BenchServer server = BenchServer.start(mode)) {
                if (last.isEmpty()) {
                    out.println("postgresql: " + server.version() + "; " + autovacuum(server));
                }
                out.printf("%n-- %s server started (%s)%n", mode.label, mode.description);
                last = runMode(server, options, out, warm);
                warm = true;
                all.addAll(last);
                report.mode(mode, last);
            }
        }
        String mode = options.durable() ? "durable" : "fsync-off";
        out.println();
        out.printf("RESULT below: %s run, backlog %d, drain messages/s; ratio_x = library / x%n", mode,
                report.resultScale(last));
        out.println(report.resultLine(last));
        return all;
    }

    private static List<Figures> runMode(BenchServer server, BenchOptions o, PrintStream out, boolean warm)
            throws Exception {
        Workload workload = new Workload(o.orgs());
        List<Named> contenders = List.of(
                new Named(Report.FLOOR, () -> new FloorContender(workload, o.batch(), o.threads()), false),
                new Named("floor/1", () -> new FloorContender(workload, 1, o.threads()), true),
                new Named(Report.LIBRARY, () -> new LibraryContender(workload, LibraryContender.Variant.IN_PROCESS,
                        o.batch(), o.threads()), false),
                new Named("library+meta-http", () -> new LibraryContender(workload, LibraryContender.Variant.META_HTTP,
                        o.batch(), o.threads()), true),
                new Named(Report.DB_SCHEDULER, () -> new DbSchedulerContender(o.threads()), true),
                new Named(Report.GRUELBOX, () -> new GruelboxContender(o.batch(), o.threads()), true));
        BenchRunner runner = new BenchRunner(server, o);
        List<Figures> figures = new ArrayList<>();
        int first = o.scales().get(0);
        if (!warm && o.warmup() > 0) {
            // one JVM runs every contender: each gets its code compiled before it is measured
            out.printf("   warming up: %d messages through each contender, untimed%n", o.warmup());
            for (Named n : contenders) {
                if (o.runs(n.name())) {
                    runner.run(n.factory().get(), n.slow() ? Math.min(o.warmup(), 10_000) : o.warmup(), false);
                }
            }
        }
        for (int scale : o.scales()) {
            for (Named n : contenders) {
                if (!o.runs(n.name()) || (n.slow() && scale > o.peerMaxScale())
                        || (n.name().equals("floor/1") && scale != first)) {
                    continue;
                }
                Contender k = n.factory().get();
                out.printf(Locale.ROOT, "   %s, backlog %d: %s ... ", k.name(), scale, k.settings());
                out.flush();
                long t0 = System.nanoTime();
                Figures f = runner.run(k, scale, scale == first);
                out.printf(Locale.ROOT, "drain %.0f msg/s (%.0f s)%n", f.drainPerSecond(), (System.nanoTime() - t0) / 1e9);
                figures.add(f);
            }
        }
        return figures;
    }

    private record Named(String name, Supplier<Contender> factory, boolean slow) {}

    /** The autovacuum settings the schema sets on its queue table, and the server's. */
    private static String autovacuum(BenchServer server) throws SQLException {
        String db = server.createDatabase("bench_schema");
        StringBuilder s = new StringBuilder("outbound_message reloptions ");
        try (HikariDataSource pool = server.pool(db, 2, "schema")) {
            OutboxMigrator.migrate(pool);
            try (Connection c = pool.getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT reloptions FROM pg_class WHERE relname = 'outbound_message'")) {
                rs.next();
                s.append(rs.getString(1));
            }
        }
        server.execute("DROP DATABASE " + db);
        s.append("; server autovacuum_naptime ").append(server.setting("autovacuum_naptime"))
                .append(", autovacuum_vacuum_cost_limit ").append(server.setting("autovacuum_vacuum_cost_limit"))
                .append(", shared_buffers ").append(server.setting("shared_buffers"));
        return s.toString();
    }

    private static String machine() {
        String cpu = "unknown cpu";
        String memory = "";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> ", " + Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB").findFirst()
                    .orElse("");
        } catch (IOException | RuntimeException e) {
            // not Linux: the JVM's view is enough
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores" + memory + "; Java "
                + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + "), max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB";
    }

    /** Per-message INFO logs (transaction-outbox logs each entry) would measure the logger: warnings at most. */
    private static void quietLogging() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root
                && root.getLevel() != null && !root.getLevel().isGreaterOrEqual(Level.WARN)) {
            root.setLevel(Level.WARN);
        }
    }
}

package io.whatsappoutbox.examples.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.jdbc.OutboxMigrator;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
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
    private static final String CHILD = "--child";
    /** The slow contenders (peers, Meta over HTTP, batches of 1) drain 1,000 to 3,000 messages/s. */
    private static final int SLOW_WARMUP = 20_000;
    static final int QUIET_JIT_PERCENT = 2;
    static final int MAX_WARMUP_INSTANCES = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutboxBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(CHILD)) {
            child(args);
            return;
        }
        if (args.length > 0 && args[0].equals("--lanes")) {
            // a mode of its own: the claim's cost as the active lanes grow (LaneScaling)
            quietLogging();
            LaneScaling.main(args, System.out);
            return;
        }
        if (ProviderLatencyBenchmark.wanted(args)) {
            ProviderLatencyBenchmark.Options latency;
            try {
                latency = ProviderLatencyBenchmark.Options.parse(args);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                System.exit(2);
                return;
            }
            quietLogging();
            ProviderLatencyBenchmark.run(latency, System.out);
            return;
        }
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
            try (BenchServer server = BenchServer.start(mode, options.verbose())) {
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
        out.println();
        out.printf("RESULT below: %s run, backlog %d, drain messages/s; ratio_x = library / x%n",
                options.resultMode().label, Report.resultScale(last));
        out.println(report.resultLine(last));
        return all;
    }

    private static List<Figures> runMode(BenchServer server, BenchOptions o, PrintStream out, boolean warm)
            throws Exception {
        List<Named> contenders = contenders(o);
        List<Figures> figures = new ArrayList<>();
        for (Named n : contenders) {
            if (o.runs(n.name())) {
                // in its own JVM a contender is always cold; in this one, only in the first mode
                figures.addAll(o.sameJvm() ? runContender(server, o, out, n, !warm) : fork(server, o, out, n));
            }
        }
        if (server.mode == o.resultMode() && o.rounds() > 1) {
            moreRounds(server, o, out, contenders, figures);
        }
        List<String> order = contenders.stream().map(Named::name).toList();
        figures.sort(Comparator.comparingInt(Figures::messages).thenComparingInt(f -> order.indexOf(f.contender())));
        return figures;
    }

    private static List<Named> contenders(BenchOptions o) {
        Workload workload = new Workload(o.orgs());
        return List.of(
                new Named(Report.FLOOR, () -> new FloorContender(workload, o.batch(), o.threads()), false),
                new Named("floor/1", () -> new FloorContender(workload, 1, o.threads()), true),
                new Named(Report.LIBRARY, () -> new LibraryContender(workload, LibraryContender.Variant.IN_PROCESS,
                        o.batch(), o.threads()), false),
                new Named("library+meta-http", () -> new LibraryContender(workload, LibraryContender.Variant.META_HTTP,
                        o.batch(), o.threads()), true),
                new Named(Report.DB_SCHEDULER, () -> new DbSchedulerContender(o.threads()), true),
                new Named(Report.GRUELBOX, () -> new GruelboxContender(o.batch(), o.threads()), true));
    }

    /**
     * The floor and the library drain the RESULT line's backlog {@code rounds - 1} more times,
     * alternating which goes first, each time in a fresh JVM with its warm-up (or, with {@code --same-jvm}, in this
     * one): one run of the same code varies by up to a third between runs, so each figure of theirs
     * at that backlog becomes the median round's.
     */
    private static void moreRounds(BenchServer server, BenchOptions o, PrintStream out, List<Named> contenders,
            List<Figures> figures) throws Exception {
        int scale = Report.resultScale(figures);
        List<Named> pair = contenders.stream()
                .filter(n -> n.name().equals(Report.FLOOR) || n.name().equals(Report.LIBRARY))
                .filter(n -> figures.stream().anyMatch(f -> f.contender().equals(n.name()) && f.messages() == scale))
                .toList();
        if (pair.isEmpty()) {
            return;
        }
        BenchOptions round = o.forRound(scale);
        List<Figures> extra = new ArrayList<>();
        for (int r = 2; r <= o.rounds(); r++) {
            out.printf("   round %d of %d, backlog %d:%n", r, o.rounds(), scale);
            // the second of two runs in a row is often the slower, whatever it runs: the first
            // round runs the floor first, the next the library first, and so on
            List<Named> ordered = new ArrayList<>(pair);
            if (r % 2 == 0) {
                Collections.reverse(ordered);
            }
            for (Named n : ordered) {
                extra.addAll(o.sameJvm() ? runContender(server, round, out, n, false) : fork(server, round, out, n));
            }
        }
        for (int i = 0; i < figures.size(); i++) {
            Figures f = figures.get(i);
            if (f.messages() == scale) {
                List<Figures> others = extra.stream().filter(e -> e.contender().equals(f.contender())).toList();
                if (!others.isEmpty()) {
                    figures.set(i, f.withRounds(others));
                }
            }
        }
    }

    /**
     * Whether a contender's warm-up may stop: after at least two instances (a second instance
     * compiles again much of what the first had compiled: its new threads, meters and pools take
     * paths the first never took), once the last one's drain spent under {@value #QUIET_JIT_PERCENT} %
     * of its time compiling, or after {@value #MAX_WARMUP_INSTANCES} instances. Code run once per
     * batch, not per message, reaches the compiler's thresholds 200 times later than the rest: on 2
     * cores its compilation took up to a tenth of a measured 100k drain after two warm-up instances.
     */
    static boolean warmedUp(int instances, Figures last) {
        return instances >= MAX_WARMUP_INSTANCES
                || (instances >= 2 && last.jitShare() * 100 < QUIET_JIT_PERCENT);
    }

    /** One contender's warm-up, then its measured runs at every scale it takes. */
    private static List<Figures> runContender(BenchServer server, BenchOptions o, PrintStream out, Named n,
            boolean warmUp) throws Exception {
        BenchRunner runner = new BenchRunner(server, o);
        if (warmUp && o.warmup() > 0) {
            int each = Math.max(1, (n.slow() ? Math.min(o.warmup(), SLOW_WARMUP) : o.warmup()) / 2);
            out.printf(Locale.ROOT, "   %s: warming up, untimed, %d messages per instance until one drains with the"
                    + " compiler quiet; %% of each drain spent compiling:", n.name(), each);
            out.flush();
            Figures last = null;
            for (int instances = 0; !warmedUp(instances, last); instances++) {
                last = runner.run(n.factory().get(), each, false);
                out.printf(Locale.ROOT, " %.1f", last.jitShare() * 100);
                out.flush();
            }
            out.println();
        }
        List<Figures> figures = new ArrayList<>();
        int first = o.scales().get(0);
        for (int scale : o.scales()) {
            if ((n.slow() && scale > o.peerMaxScale()) || (n.name().equals("floor/1") && scale != first)) {
                continue;
            }
            Contender k = n.factory().get();
            out.printf(Locale.ROOT, "   %s, backlog %d: %s ... ", k.name(), scale, k.settings());
            out.flush();
            long t0 = System.nanoTime();
            Figures f = runner.run(k, scale, scale == first && o.latency());
            out.printf(Locale.ROOT, "drain %.0f msg/s (%.0f s)%n", f.drainPerSecond(), (System.nanoTime() - t0) / 1e9);
            out.flush();
            figures.add(f);
        }
        return figures;
    }

    /**
     * Runs one contender in a JVM of its own, against this server: the code of one contender is
     * not compiled for the profiles another left behind (as JMH forks a JVM per benchmark). Its
     * progress is copied to {@code out} as it comes; its figures come back in a file.
     */
    private static List<Figures> fork(BenchServer server, BenchOptions o, PrintStream out, Named n) throws Exception {
        Path file = Files.createTempFile("whatsapp-outbox-bench-", ".json");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(), OutboxBenchmark.class.getName(), CHILD, server.mode.name(), n.name(),
                Integer.toString(server.port()), file.toString()));
        command.addAll(o.childArgs());
        // stderr is merged so that a failing child's stack trace reaches the same stream and the error
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            OutputTail tail = new OutputTail(40);
            try (InputStream progress = p.getInputStream()) {
                byte[] buffer = new byte[8192];
                for (int read = progress.read(buffer); read >= 0; read = progress.read(buffer)) {
                    out.write(buffer, 0, read);
                    out.flush();
                    tail.write(buffer, read);
                }
            }
            int exit = p.waitFor();
            if (exit != 0) {
                // the first line names the cause: a test report and a CI summary show only that line
                throw new IllegalStateException(n.name() + " (" + server.mode.label + ") ended with exit code " + exit
                        + " in its own JVM: " + tail.cause() + System.lineSeparator() + "its last lines:"
                        + System.lineSeparator() + tail.text());
            }
            return JSON.readValue(file.toFile(), new TypeReference<List<Figures>>() {});
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(file);
        }
    }

    /** A contender's own JVM: {@code --child MODE CONTENDER PORT FIGURES-FILE options...}. */
    private static void child(String[] args) {
        try {
            BenchServer.Mode mode = BenchServer.Mode.valueOf(args[1]);
            String name = args[2];
            int port = Integer.parseInt(args[3]);
            Path file = Path.of(args[4]);
            BenchOptions o = BenchOptions.parse(Arrays.copyOfRange(args, 5, args.length));
            quietLogging();
            Named n = contenders(o).stream().filter(c -> c.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no contender " + name));
            try (BenchServer server = BenchServer.attach(mode, port)) {
                JSON.writeValue(file.toFile(), runContender(server, o, System.out, n, true));
            }
            System.out.flush();
            // a contender's leftover non-daemon threads must not keep this JVM alive
            System.exit(0);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
    }

    /** The classpath this class was loaded from: under {@code mvn exec:java}, the project's, not Maven's. */
    private static String classPath() throws URISyntaxException {
        if (OutboxBenchmark.class.getClassLoader() instanceof URLClassLoader loader) {
            List<String> entries = new ArrayList<>();
            for (URL url : loader.getURLs()) {
                entries.add(Path.of(url.toURI()).toString());
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
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

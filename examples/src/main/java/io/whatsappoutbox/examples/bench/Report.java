package io.whatsappoutbox.examples.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Prints the figures of a mode as tables, the ratios, and the final RESULT line. */
final class Report {
    static final String FLOOR = "floor/200";
    static final String LIBRARY = "library";
    static final String DB_SCHEDULER = "db-scheduler";
    static final String GRUELBOX = "transaction-outbox";

    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    void mode(BenchServer.Mode mode, List<Figures> figures) {
        out.println();
        out.printf("== %s: %s%n", mode.label, mode.description);
        out.println("drain of a backlog (enqueued first, in host transactions of the batch size, then consumed;"
                + " drain/s from the first provider call, the consumer's start apart; CPU from the start;"
                + " autovacuum off during the drain, then VACUUM, its database CPU apart):");
        out.printf("%-19s %8s %10s %10s %8s %9s %11s %10s %10s %10s %13s %9s %5s %6s %8s %9s%n", "contender",
                "backlog", "enqueue/s", "drain/s", "start ms", "stmts/msg", "commits/msg", "tuples/msg", "db us/msg",
                "jvm us/msg", "vacuum us/msg", "WAL B/msg", "ckpts", "jit ms", "heap MB", "drained");
        for (Figures f : figures) {
            out.printf(Locale.ROOT,
                    "%-19s %8d %10.0f %10.0f %8.0f %9.3f %11.3f %10.2f %10.0f %10.0f %13.0f %9.0f %5d %6.0f %8d %9s%n",
                    f.contender(), f.messages(), f.enqueuePerSecond(), f.drainPerSecond(), f.startMillis(),
                    f.statementsPerMessage(),
                    f.commitsPerMessage(), f.tuplesPerMessage(), f.databaseCpuPerMessage(), f.jvmCpuPerMessage(),
                    f.vacuumCpuPerMessage(), f.walBytesPerMessage(), f.checkpoints(), f.jitMillis(), f.heapPeakMb(),
                    f.complete() ? "all" : f.distinct() + "/" + f.messages() + " (" + f.calls() + " calls)");
            f.topStatements().forEach(line -> out.println("      " + line));
        }
        out.println("commit-to-provider-call latency, ms (first backlog's database, queue empty):");
        out.printf("%-19s %14s %9s %9s %13s %9s %9s%n", "contender", "steady msg/s", "p50", "p99", "idle samples",
                "p50", "p99");
        for (Figures f : figures) {
            Figures.Latency l = f.latency();
            if (l != null) {
                out.printf(Locale.ROOT, "%-19s %14d %9.2f %9.2f %13d %9.2f %9.2f%n", f.contender(), l.steadyRate(),
                        l.steadyP50(), l.steadyP99(), l.idleSamples(), l.idleP50(), l.idleP99());
            }
        }
        out.println("claim index and bloat of outbound_message (before -> after the drain):");
        out.printf("%-19s %8s %22s %24s %10s %11s%n", "contender", "backlog", "claim index KB", "table KB", "dead tup",
                "autovacuums");
        for (Figures f : figures) {
            Figures.Bloat b = f.bloat();
            if (b != null) {
                out.printf(Locale.ROOT, "%-19s %8d %22s %24s %10d %11d%n", f.contender(), f.messages(),
                        b.claimIndexBefore() / 1024 + " -> " + b.claimIndexAfter() / 1024,
                        b.tableBefore() / 1024 + " -> " + b.tableAfter() / 1024, b.deadTuples(), b.autovacuums());
            }
        }
        out.println("ratios of drain rates (library / other, same backlog):");
        for (int scale : scales(figures)) {
            List<String> parts = new ArrayList<>();
            for (String other : List.of(FLOOR, DB_SCHEDULER, GRUELBOX)) {
                ratio(figures, scale, other).ifPresent(r -> parts.add(String.format(Locale.ROOT, "/%s %.2f", other, r)));
            }
            rate(figures, "library+meta-http", scale).ifPresent(meta -> rate(figures, LIBRARY, scale).ifPresent(lib ->
                    parts.add(String.format(Locale.ROOT, "meta-http/in-process %.2f", meta / lib))));
            if (!parts.isEmpty()) {
                out.printf("  backlog %8d: library %s%n", scale, String.join(", ", parts));
            }
        }
        rounds(figures);
        List<Integer> libraryScales = figures.stream().filter(f -> f.contender().equals(LIBRARY))
                .map(Figures::messages).toList();
        if (libraryScales.size() > 1) {
            double first = rate(figures, LIBRARY, libraryScales.get(0)).orElseThrow();
            double last = rate(figures, LIBRARY, libraryScales.get(libraryScales.size() - 1)).orElseThrow();
            out.printf(Locale.ROOT, "  library drain at %d vs %d backlog: %.2f (flat within 20%% if >= 0.80)%n",
                    libraryScales.get(libraryScales.size() - 1), libraryScales.get(0), last / first);
        }
    }

    /** Every round's rate, where a contender ran several, and the ratio round by round. */
    private void rounds(List<Figures> figures) {
        List<Figures> repeated = figures.stream().filter(f -> f.roundRates().size() > 1).toList();
        if (repeated.isEmpty()) {
            return;
        }
        out.println("  rounds (the floor and the library alternating; the tables above show each one's median round):");
        for (Figures f : repeated) {
            out.printf(Locale.ROOT, "    %-19s backlog %8d: %s msg/s, median %.0f%n", f.contender(), f.messages(),
                    String.join(" ", f.roundRates().stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).toList()),
                    f.drainPerSecond());
        }
        for (int scale : scales(repeated)) {
            Optional<Figures> lib = find(repeated, LIBRARY, scale);
            Optional<Figures> floor = find(repeated, FLOOR, scale);
            if (lib.isPresent() && floor.isPresent()) {
                List<Double> l = lib.get().roundRates();
                List<Double> fl = floor.get().roundRates();
                List<String> each = new ArrayList<>();
                for (int i = 0; i < Math.min(l.size(), fl.size()); i++) {
                    each.add(String.format(Locale.ROOT, "%.2f", l.get(i) / fl.get(i)));
                }
                out.printf(Locale.ROOT, "    library /floor/200 round by round: %s; of the medians %.2f%n",
                        String.join(" ", each), lib.get().drainPerSecond() / floor.get().drainPerSecond());
            }
        }
    }

    /**
     * The machine-readable line: the figures of the durable run (or of the only mode run) at the
     * largest backlog every contender of the line that ran drained.
     */
    String resultLine(List<Figures> figures) {
        int scale = resultScale(figures);
        double lib = rate(figures, LIBRARY, scale).orElse(Double.NaN);
        double floor = rate(figures, FLOOR, scale).orElse(Double.NaN);
        double dbs = rate(figures, DB_SCHEDULER, scale).orElse(Double.NaN);
        double gb = rate(figures, GRUELBOX, scale).orElse(Double.NaN);
        return String.format(Locale.ROOT, "RESULT floor_mps=%.0f library_mps=%.0f dbscheduler_mps=%.0f gruelbox_mps=%.0f"
                + " ratio_floor=%.2f ratio_dbscheduler=%.2f ratio_gruelbox=%.2f", floor, lib, dbs, gb, lib / floor,
                lib / dbs, lib / gb);
    }

    /** The backlog the result line is taken at. */
    static int resultScale(List<Figures> figures) {
        List<String> present = List.of(FLOOR, LIBRARY, DB_SCHEDULER, GRUELBOX).stream()
                .filter(c -> figures.stream().anyMatch(f -> f.contender().equals(c))).toList();
        return scales(figures).stream()
                .filter(s -> present.stream().allMatch(c -> rate(figures, c, s).isPresent()))
                .reduce((a, b) -> b).orElse(0);
    }

    private static List<Integer> scales(List<Figures> figures) {
        return figures.stream().map(Figures::messages).distinct().sorted().toList();
    }

    private static Optional<Double> ratio(List<Figures> figures, int scale, String other) {
        Optional<Double> lib = rate(figures, LIBRARY, scale);
        Optional<Double> o = rate(figures, other, scale);
        return lib.isPresent() && o.isPresent() ? Optional.of(lib.get() / o.get()) : Optional.empty();
    }

    private static Optional<Double> rate(List<Figures> figures, String contender, int scale) {
        return find(figures, contender, scale).map(Figures::drainPerSecond);
    }

    private static Optional<Figures> find(List<Figures> figures, String contender, int scale) {
        return figures.stream().filter(f -> f.contender().equals(contender) && f.messages() == scale).findFirst();
    }
}

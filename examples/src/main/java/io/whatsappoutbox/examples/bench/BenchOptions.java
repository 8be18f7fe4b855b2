package io.whatsappoutbox.examples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The benchmark's command line.
 *
 * @param scales backlog sizes, ascending
 * @param peerMaxScale the largest backlog the slow contenders (peers, Meta over HTTP, batches of 1) drain
 * @param only contender names to run (empty: all)
 * @param sameJvm every contender in this JVM, instead of a JVM of its own per contender and mode
 * @param rounds how many times the floor and the library drain the RESULT line's backlog in its mode
 * @param latency whether the first backlog is followed by the latency runs (not in the extra rounds)
 */
record BenchOptions(List<Integer> scales, boolean fsyncOff, boolean durable, int batch, int threads, int orgs,
        int steadyRate, int steadySeconds, int idleProbes, int peerMaxScale, int warmup, Set<String> only, boolean verbose,
        boolean sameJvm, int rounds, boolean latency, boolean help) {

    static final int FULL_SCALE = 1_000_000;

    static final String USAGE = """
            Usage: OutboxBenchmark [options]
            Drains a backlog through the floor (plain JDBC), the library (in process and Meta over HTTP),
            db-scheduler and transaction-outbox on embedded PostgreSQL 17, first with fsync off, then durable,
            and ends with one RESULT line (the durable run's figures).

              --scales 10000,100000   backlog sizes (default 10000,100000)
              --full                  adds a backlog of 1000000 (floor/200 and library only)
              --durable-only          only the durable server (fsync, synchronous_commit, full_page_writes on)
              --fsync-off-only        only the fsync-off server (the embedded defaults)
              --batch 200             claim / enqueue batch size, the same for everyone
              --threads 4             worker threads, the same for everyone
              --orgs 4                orgs the messages are spread over
              --rate 500              steady offered load of the latency run, messages/s
              --steady-seconds 5      length of the steady latency run
              --idle-probes 40        single messages sent to an idle consumer (NOTIFY wake-up latency)
              --warmup 200000         messages each contender drains, untimed, before its first measured run:
                                      half through each of at least two instances of it (slow contenders: at
                                      most 20000), then more instances of that half until one drains with its
                                      compiler busy under 2 % of the time (at most 8 in all). Code compiled
                                      for one instance is compiled again for the next (new threads, meters and
                                      pools take paths the first never took), and code run once per batch
                                      reaches the compiler's thresholds last. 0 for none
              --same-jvm              run every contender in this JVM, one after the other, instead of each
                                      in a JVM of its own per mode (there, each contender's code is compiled
                                      again for the profiles the others left behind)
              --rounds 3              the floor/200 and the library drain the RESULT line's backlog this many
                                      times, alternating, each time in a fresh JVM with its warm-up (with
                                      --same-jvm, in this one); the tables show each one's median round, and
                                      every round's rate is printed (one run of the same code varies by up
                                      to a third). 1 for one
              --no-latency            skip the latency runs
              --peer-max-scale 100000 largest backlog for the slow contenders (peers, meta-http, floor/1)
              --only a,b              run only these contenders (floor/200, floor/1, library, library+meta-http,
                                      db-scheduler, transaction-outbox)
              --verbose               print the statements that took the server's time, per run: calls,
                                      time, buffers (and cache reads) and planning per call
              --help                  this text
            Or, as the first option, --lanes 10,100,1000,10000: the claim's cost as the active lanes grow
            (see LaneScaling: --per-org, --min-messages, --batch, --durable).
            """;

    static BenchOptions parse(String... args) {
        List<Integer> scales = new ArrayList<>(List.of(10_000, 100_000));
        boolean full = false;
        boolean fsyncOff = true;
        boolean durable = true;
        int batch = 200;
        int threads = 4;
        int orgs = 4;
        int rate = 500;
        int steadySeconds = 5;
        int idleProbes = 40;
        int peerMax = 100_000;
        int warmup = 200_000;
        Set<String> only = new TreeSet<>();
        boolean verbose = false;
        boolean sameJvm = false;
        int rounds = 3;
        boolean latency = true;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--scales" -> {
                    scales = new ArrayList<>();
                    for (String s : value(args, ++i, a).split(",")) {
                        scales.add(positive(a, s.trim()));
                    }
                }
                case "--full" -> full = true;
                case "--durable-only" -> fsyncOff = false;
                case "--fsync-off-only" -> durable = false;
                case "--batch" -> batch = positive(a, value(args, ++i, a));
                case "--threads" -> threads = positive(a, value(args, ++i, a));
                case "--orgs" -> orgs = positive(a, value(args, ++i, a));
                case "--rate" -> rate = positive(a, value(args, ++i, a));
                case "--steady-seconds" -> steadySeconds = positive(a, value(args, ++i, a));
                case "--idle-probes" -> idleProbes = positive(a, value(args, ++i, a));
                case "--peer-max-scale" -> peerMax = positive(a, value(args, ++i, a));
                case "--warmup" -> warmup = whole(a, value(args, ++i, a), 0);
                case "--only" -> only.addAll(Arrays.asList(value(args, ++i, a).split(",")));
                case "--verbose" -> verbose = true;
                case "--same-jvm" -> sameJvm = true;
                case "--rounds" -> rounds = positive(a, value(args, ++i, a));
                case "--no-latency" -> latency = false;
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        if (full && !scales.contains(FULL_SCALE)) {
            scales.add(FULL_SCALE);
        }
        if (!fsyncOff && !durable) {
            throw new IllegalArgumentException("--durable-only and --fsync-off-only exclude each other");
        }
        scales.sort(null);
        return new BenchOptions(List.copyOf(scales), fsyncOff, durable, batch, threads, orgs, rate, steadySeconds,
                idleProbes, peerMax, warmup, only, verbose, sameJvm, rounds, latency, help);
    }

    /** What an extra round runs: one backlog, no latency runs. */
    BenchOptions forRound(int scale) {
        return new BenchOptions(List.of(scale), fsyncOff, durable, batch, threads, orgs, steadyRate, steadySeconds,
                idleProbes, peerMaxScale, warmup, only, verbose, sameJvm, rounds, false, help);
    }

    /** These options as a command line, for a contender's own JVM (which is told its mode apart). */
    List<String> childArgs() {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--scales", String.join(",", scales.stream().map(String::valueOf).toList())));
        args.addAll(List.of("--batch", String.valueOf(batch), "--threads", String.valueOf(threads), "--orgs",
                String.valueOf(orgs), "--rate", String.valueOf(steadyRate), "--steady-seconds",
                String.valueOf(steadySeconds), "--idle-probes", String.valueOf(idleProbes), "--peer-max-scale",
                String.valueOf(peerMaxScale), "--warmup", String.valueOf(warmup), "--rounds", String.valueOf(rounds)));
        if (!only.isEmpty()) {
            args.addAll(List.of("--only", String.join(",", only)));
        }
        if (verbose) {
            args.add("--verbose");
        }
        if (!latency) {
            args.add("--no-latency");
        }
        return args;
    }

    /** The mode the RESULT line and the extra rounds are taken in: durable, unless only fsync-off runs. */
    BenchServer.Mode resultMode() {
        return durable ? BenchServer.Mode.DURABLE : BenchServer.Mode.FSYNC_OFF;
    }

    boolean runs(String contender) {
        return only.isEmpty() || only.contains(contender);
    }

    /** Sequence numbers the latency runs use after a backlog of {@code messages}. */
    int latencyMessages() {
        return steadyRate * (steadySeconds + 1) + idleProbes + 100;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String option, String value) {
        return whole(option, value, 1);
    }

    private static int whole(String option, String value, int min) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a whole number of at least " + min + ", not " + value);
    }
}

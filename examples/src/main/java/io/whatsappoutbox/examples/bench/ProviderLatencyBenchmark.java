package io.whatsappoutbox.examples.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.dispatch.DispatcherHealth;
import io.whatsappoutbox.core.dispatch.OutboxListener;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.meta.MetaCloudProvider;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The provider-latency mode ({@code --provider-latency 250ms --numbers 20}): a campaign through the
 * public API, {@link JdbcOutbox} and {@link MetaCloudProvider} to a local stub answering Meta's
 * success JSON after the latency, each org with its own number at Meta's default 80 msg/s, the
 * dispatcher with the library's defaults (no concurrency tuning). Prints sent/s against the pacing
 * limit (steady-state median over whole seconds, and overall), the peak JVM threads, the heap after
 * GC, duplicates (the stub saw a recipient twice), the worst second per number and the series.
 */
final class ProviderLatencyBenchmark {
    private static final int META_DEFAULT_RATE = 80;

    record Options(Duration latency, int numbers, int seconds, boolean durable, int instances, boolean sharedPacing,
            Boolean asynchronous, boolean warmUp) {
        static final String USAGE = """
                Usage: OutboxBenchmark --provider-latency 250ms [--numbers 20] [--seconds 15] [--fsync-off-only]
                                       [--instances 1] [--unshared-pacing] [--synchronous | --asynchronous] [--warm-up]
                  --provider-latency 250ms  the stub answers Meta's success JSON after this long (ms or s)
                  --numbers 20              orgs, each with its own sending number at 80 msg/s
                  --seconds 15              campaign length at the pacing limit: numbers x 80 x seconds messages
                  --fsync-off-only          embedded PostgreSQL with fsync off (default: durable)
                  --instances 1             dispatchers (each its own JdbcOutbox) on the one database; with more
                                            than one, each number's pacing is shared by all (JdbcOutbox sharedPacing)
                  --unshared-pacing         with --instances: each dispatcher paces on its own (the overshoot)
                  --synchronous             Meta's provider sends on the dispatcher's send threads
                  --asynchronous            Meta's provider sends through its non-blocking calls
                                            (neither: the provider's default, asynchronous with its own client)
                  --warm-up                 first a campaign of 5 s of messages in the same JVM, reported apart:
                                            the timed one then runs warm, as a host that has been up a while
                """;

        static Options parse(String... args) {
            Duration latency = null;
            int numbers = 20;
            int seconds = 15;
            boolean durable = true;
            int instances = 1;
            boolean unshared = false;
            Boolean asynchronous = null;
            boolean warmUp = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--provider-latency" -> latency = duration(a, value(args, ++i, a));
                    case "--numbers" -> numbers = positive(a, value(args, ++i, a));
                    case "--seconds" -> seconds = positive(a, value(args, ++i, a));
                    case "--fsync-off-only" -> durable = false;
                    case "--durable-only" -> durable = true;
                    case "--instances" -> instances = positive(a, value(args, ++i, a));
                    case "--unshared-pacing" -> unshared = true;
                    case "--asynchronous" -> asynchronous = true;
                    case "--synchronous" -> asynchronous = false;
                    case "--warm-up" -> warmUp = true;
                    default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                }
            }
            if (latency == null) {
                throw new IllegalArgumentException("--provider-latency is required\n" + USAGE);
            }
            return new Options(latency, numbers, seconds, durable, instances, instances > 1 && !unshared,
                    asynchronous, warmUp);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
            }
            return args[i];
        }

        private static int positive(String option, String v) {
            try {
                int n = Integer.parseInt(v);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " must be a positive whole number, not " + v);
        }

        private static Duration duration(String option, String v) {
            String s = v.trim().toLowerCase();
            try {
                if (s.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
                }
                if (s.endsWith("s")) {
                    return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
                }
                return Duration.ofMillis(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be a duration such as 250ms, not " + v);
            }
        }
    }

    private ProviderLatencyBenchmark() {}

    static boolean wanted(String... args) {
        for (String a : args) {
            if (a.equals("--provider-latency")) {
                return true;
            }
        }
        return false;
    }

    static void run(Options o, PrintStream out) throws Exception {
        int limit = o.numbers() * META_DEFAULT_RATE;
        int messages = limit * o.seconds();
        out.printf("provider latency %d ms, %d number(s) at %d msg/s: pacing limit %d msg/s, %d messages, library"
                        + " defaults, %s PostgreSQL; %d instance(s), pacing %s%n", o.latency().toMillis(),
                o.numbers(), META_DEFAULT_RATE, limit, messages, o.durable() ? "durable" : "fsync-off", o.instances(),
                o.sharedPacing() ? "shared" : "per instance");
        Workload workload = new Workload(o.numbers());
        LibraryContender setup = new LibraryContender(workload, LibraryContender.Variant.META_HTTP, 200, 4);
        BenchServer.Mode mode = o.durable() ? BenchServer.Mode.DURABLE : BenchServer.Mode.FSYNC_OFF;
        try (BenchServer server = BenchServer.start(mode, false)) {
            String db = server.createDatabase("latency");
            try (HikariDataSource pool = server.pool(db, 4 + 6 * o.instances(), "latency")) {
                // the warm-up's messages come after the timed campaign's: recipients and keys of their own
                int warmUp = o.warmUp() ? limit * 5 : 0;
                setup.install(pool, messages + warmUp);
                setup.attach(pool);
                List<JdbcOutbox> outboxes = new ArrayList<>();
                for (int i = 0; i < o.instances(); i++) {
                    outboxes.add(setup.outboxFor(pool, o.sharedPacing()));
                }
                if (warmUp > 0) {
                    enqueue(setup, pool, messages, warmUp);
                    out.printf("-- warm-up campaign: %d messages, untimed%n", warmUp);
                    campaign(o, outboxes, pool, warmUp, limit, out);
                    out.println("-- timed campaign, the JVM warm");
                }
                enqueue(setup, pool, 0, messages);
                campaign(o, outboxes, pool, messages, limit, out);
            }
        }
    }

    private static void enqueue(LibraryContender setup, HikariDataSource pool, int from, int count)
            throws Exception {
        try (Connection c = pool.getConnection()) {
            for (int at = from; at < from + count; at += 1_000) {
                setup.enqueue(c, at, Math.min(1_000, from + count - at));
            }
        }
    }

    private static void campaign(Options o, List<JdbcOutbox> outboxes, HikariDataSource pool, int messages, int limit,
            PrintStream out) throws Exception {
        JdbcOutbox outbox = outboxes.get(0);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        MetaCloudProvider.Builder metaSettings = MetaCloudProvider.builder().accounts(outbox.providerConfigs());
        if (o.asynchronous() != null) {
            metaSettings.asynchronous(o.asynchronous());
        }
        try (MetaStub stub = new MetaStub(4, o.latency());
                MetaCloudProvider meta = metaSettings.baseUrl(stub.baseUrl()).build()) {
            out.printf("Meta's provider sends %s (%s)%n", meta.isAsynchronous() ? "asynchronously" : "synchronously",
                    o.asynchronous() == null ? "its default" : o.asynchronous() ? "--asynchronous" : "--synchronous");
            System.gc();
            threads.resetPeakThreadCount();
            int before = threads.getThreadCount();
            Map<String, LongAdder> deferrals = new java.util.concurrent.ConcurrentHashMap<>();
            LongAdder claimed = new LongAdder();
            OutboxListener counting = new OutboxListener() {
                @Override
                public void onDeferral(Deferred d) {
                    deferrals.computeIfAbsent(d.errorCode(), k -> new LongAdder()).increment();
                }

                @Override
                public void onClaim(Claimed c) {
                    claimed.add(c.count());
                }
            };
            CallStarts starts = new CallStarts(meta);
            List<Dispatcher> dispatchers = new ArrayList<>();
            for (int i = 0; i < outboxes.size(); i++) {
                dispatchers.add(outboxes.get(i).dispatcher().provider(Channel.WHATSAPP, starts)
                        .instanceId(outboxes.size() == 1 ? "latency" : "latency-" + i).listener(counting).build());
            }
            Dispatcher dispatcher = dispatchers.get(0);
            StringBuilder health = new StringBuilder();
            long start = System.nanoTime();
            dispatchers.forEach(Dispatcher::start);
            long unfinished = messages;
            long deadline = start + Duration.ofSeconds(60L + 4L * o.seconds()).toNanos();
            long nextHealth = start;
            while (unfinished > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                if (System.nanoTime() >= nextHealth) {
                    nextHealth += 1_000_000_000L;
                    DispatcherHealth h = dispatcher.health();
                    // claimed and not yet written / lease budget, mean call ms, threads, writer backlog
                    health.append(String.format(" %d/%d:%dms:%dt:%dw", h.maxInFlight() - h.permitsFree(),
                            h.leaseBudget(), h.meanCallLatency().toMillis(), threads.getThreadCount(),
                            h.writeBacklog()));
                }
                try (Connection c = pool.getConnection()) {
                    unfinished = FloorContender.OutboxCounts.unfinished(c);
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            int peakThreads = threads.getPeakThreadCount();
            dispatchers.forEach(Dispatcher::close);
            System.gc();
            long heapAfterGc = memory.getHeapMemoryUsage().getUsed() / (1024 * 1024);
            report(o, stub, messages, limit, unfinished, elapsed, before, peakThreads, heapAfterGc, out);
            long started = starts.busiestSlidingSecond();
            out.printf("call starts: worst sliding second of any number %d (%.2f x %d), as the dispatchers started"
                    + " them; the stub's counts above are arrivals%n", started, started / (double) META_DEFAULT_RATE,
                    META_DEFAULT_RATE);
            out.println("deferrals: " + deferrals + ", claimed " + claimed.sum());
            out.println("each second, in flight/lease budget:mean call:threads:writer backlog:" + health);
        }
    }

    private static void report(Options o, MetaStub stub, int messages, int limit, long unfinished, double elapsed,
            int threadsBefore, int peakThreads, long heapAfterGc, PrintStream out) {
        Map<Long, Long> series = new TreeMap<>();
        stub.perSecond.forEach((s, n) -> series.put(s, n.sum()));
        List<Long> values = new ArrayList<>(series.values());
        long sent = values.stream().mapToLong(Long::longValue).sum();
        // whole seconds only: the first and the last are partial
        List<Long> steady = values.size() > 2 ? new ArrayList<>(values.subList(1, values.size() - 1)) : values;
        steady.sort(null);
        long median = steady.isEmpty() ? 0 : steady.get(steady.size() / 2);
        Map<String, Long> worst = new TreeMap<>();
        stub.perNumberSecond.forEach((key, n) -> worst.merge(key.substring(0, key.indexOf('@')), n.sum(), Math::max));
        long worstSecond = worst.values().stream().mapToLong(Long::longValue).max().orElse(0);
        out.printf("sent/s: steady median %d, overall %.0f (%d in %.1f s), pacing limit %d: share %.2f (steady), %.2f"
                        + " (overall)%n", median, sent / elapsed, sent, elapsed, limit, median / (double) limit,
                sent / elapsed / limit);
        out.printf("threads: %d before start, peak %d; heap after GC %d MB; duplicates %d; unfinished %d of %d%n",
                threadsBefore, peakThreads, heapAfterGc, stub.duplicates.sum(), unfinished, messages);
        out.printf("worst second of any number: %d msg (%.2f x %d)%n", worstSecond,
                worstSecond / (double) META_DEFAULT_RATE, META_DEFAULT_RATE);
        if (o.instances() > 1) {
            // per number: its busiest whole second (aligned to the clock's seconds) and busiest sliding
            // second against its rate, and its mean pace over its own first to last send
            StringBuilder n = new StringBuilder("per number, worst aligned second / worst sliding second / msg/s:");
            Map<String, Long> sentOf = new TreeMap<>();
            Map<String, long[]> span = new TreeMap<>();
            stub.perNumberSecond.forEach((key, v) -> {
                String number = key.substring(0, key.indexOf('@'));
                long second = Long.parseLong(key.substring(key.indexOf('@') + 1));
                sentOf.merge(number, v.sum(), Long::sum);
                span.merge(number, new long[] {second, second}, (a, b) -> new long[] {Math.min(a[0], b[0]),
                        Math.max(a[1], b[1])});
            });
            worst.forEach((number, w) -> {
                long sliding = stub.busiestSlidingSecond(number);
                long[] sp = span.get(number);
                n.append(String.format(" %s %d (%.2f) / %d (%.2f) / %.1f;", number, w, w / (double) META_DEFAULT_RATE,
                        sliding, sliding / (double) META_DEFAULT_RATE, sentOf.get(number) / (double) (sp[1] - sp[0] + 1)));
            });
            out.println(n);
        }
        StringBuilder s = new StringBuilder("per second:");
        values.forEach(v -> s.append(' ').append(v));
        out.println(s);
    }
}

package io.whatsappoutbox.examples.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one contender at one scale on a fresh database, in three phases with a pool each (closing
 * a pool makes its backends report their statistics): the backlog is enqueued, then drained and
 * counted, then, at the first scale only, the latency runs.
 */
final class BenchRunner {
    private static final int POOL = 16;

    /** Every table of the contender's schema (the library's, a peer's or the floor's). */
    static final String AUTOVACUUM_OFF = """
            DO $$
            DECLARE t regclass;
            BEGIN
                FOR t IN SELECT c.oid FROM pg_class c
                          WHERE c.relkind = 'r' AND c.relnamespace::regnamespace::text IN ('public', 'whatsapp_outbox') LOOP
                    EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = false)', t);
                END LOOP;
            END $$""";

    private final BenchServer server;
    private final BenchOptions options;
    private final CpuMeter cpu;

    BenchRunner(BenchServer server, BenchOptions options) throws Exception {
        this.server = server;
        this.options = options;
        this.cpu = new CpuMeter(server.postmasterPid());
    }

    Figures run(Contender k, int messages, boolean latency) throws Exception {
        String db = server.createDatabase("bench_" + k.name());
        double enqueueRate;
        long indexBefore = 0;
        long tableBefore = 0;
        try (HikariDataSource pool = server.pool(db, POOL, "enqueue")) {
            k.install(pool, messages + options.latencyMessages());
            k.attach(pool);
            long t0 = System.nanoTime();
            enqueue(k, pool, messages);
            enqueueRate = messages / seconds(System.nanoTime() - t0);
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                // whichever drain an autovacuum happens to overlap would pay for it, though every
                // drain leaves the same dead rows: autovacuum is off during the drain, and each
                // contender pays for its own VACUUM right after it, measured apart
                s.execute(AUTOVACUUM_OFF);
                // every drain starts from the same state: statistics and visibility map fresh, and
                // (durable) right after a checkpoint, so that each pays its own full-page writes
                s.execute("VACUUM ANALYZE");
                s.execute("CHECKPOINT");
                if (k.outboxSchema()) {
                    indexBefore = size(c, "outbound_message_claim");
                    tableBefore = size(c, "outbound_message");
                }
            }
        }
        // the closed pool's backends report their statistics; transaction-outbox entries become due
        Thread.sleep(1000);
        // the enqueue's hot code is still being compiled for seconds after it ends (one C2
        // compilation takes up to 2 s on 2 cores): the drain is timed once the compiler is quiet
        awaitQuietCompiler();
        writeBackPageCache();
        DbStats before = server.stats(db);
        server.resetStatements();
        Probe.Drain probe = new Probe.Drain(messages);
        double drainRate;
        double startMillis;
        long jitMillis;
        long heap;
        CpuMeter.Reading cpuBefore = cpu.read();
        try (HikariDataSource pool = server.pool(db, POOL, "drain")) {
            k.attach(pool);
            try (HeapPeak peak = new HeapPeak()) {
                long jitBefore = compilationMillis();
                long t0 = System.nanoTime();
                // the connection that counts what is left is taken before the consumer holds the pool's
                Connection check = pool.getConnection();
                Contender.Consumer consumer = k.start(pool, probe);
                try (check) {
                    awaitDrained(k, check, probe, messages);
                    // from the first call: building a consumer (a dispatcher's threads, meters and
                    // pools) is done once when a host starts, not per message; it is shown apart
                    long end = System.nanoTime();
                    drainRate = messages / seconds(end - probe.firstCallNanos());
                    startMillis = (probe.firstCallNanos() - t0) / 1e6;
                    jitMillis = compilationMillis() - jitBefore;
                } finally {
                    consumer.stop();
                }
                heap = peak.peakMegabytes();
            }
        }
        Thread.sleep(300);
        CpuMeter.Reading cpuUsed = cpu.read().minus(cpuBefore);
        DbStats drained = server.stats(db).since(before);
        Figures.Bloat bloat = null;
        Figures.Latency latencies = null;
        CpuMeter.Reading vacuumUsed;
        try (HikariDataSource pool = server.pool(db, POOL, "latency")) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                if (k.outboxSchema()) {
                    bloat = bloat(c, indexBefore, tableBefore);
                }
                CpuMeter.Reading vacuumBefore = cpu.read();
                s.execute("VACUUM");
                vacuumUsed = cpu.read().minus(vacuumBefore);
            }
            if (latency) {
                k.attach(pool);
                latencies = latency(k, pool, messages);
            }
        }
        server.execute("DROP DATABASE " + db + " WITH (FORCE)");
        double n = messages;
        return new Figures(server.mode.label, k.name(), messages, enqueueRate, drainRate, startMillis, probe.distinct(),
                probe.total(), drained.statements() / n, drained.commits() / n,
                (drained.inserted() + drained.updated() + drained.deleted()) / n, heap,
                cpuUsed.databaseMillis() * 1000 / n, cpuUsed.jvmMillis() * 1000 / n,
                vacuumUsed.databaseMillis() * 1000 / n, drained.walBytes() / n, drained.checkpoints(), jitMillis, bloat,
                latencies,
                options.verbose() ? drained.describeTop(8, messages) : List.of(), List.of(drainRate));
    }

    /** Time this JVM's compilers have spent so far, ms; 0 where the JVM does not tell. */
    private static long compilationMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit == null || !jit.isCompilationTimeMonitoringSupported() ? 0 : jit.getTotalCompilationTime();
    }

    /** Waits, at most 30 s, until the JIT compiler has spent no time for half a second. */
    /**
     * Writes back what the page cache holds dirty (the earlier contenders' and warm-ups' files, this
     * enqueue's): left to the kernel's flusher, it can be written during the timed drain, beside
     * its fsyncs, and bill one contender for another's files. Linux {@code sync}; where there is
     * none, nothing.
     */
    private static void writeBackPageCache() throws InterruptedException {
        try {
            Process sync = new ProcessBuilder("sync").redirectErrorStream(true).start();
            if (!sync.waitFor(60, TimeUnit.SECONDS)) {
                sync.destroy();
            }
        } catch (IOException e) {
            // no sync command: the drain runs as before
        }
    }

    private static void awaitQuietCompiler() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long last = compilationMillis();
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = compilationMillis();
            if (now == last) {
                return;
            }
            last = now;
        }
    }

    /** The backlog, in host transactions of {@code batch} messages from {@code threads} threads. */
    private void enqueue(Contender k, HikariDataSource pool, int messages) throws Exception {
        AtomicLong next = new AtomicLong();
        ExecutorService producers = Executors.newFixedThreadPool(options.threads());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < options.threads(); t++) {
                done.add(producers.submit(() -> {
                    try (Connection c = pool.getConnection()) {
                        for (long from = next.getAndAdd(options.batch()); from < messages;
                                from = next.getAndAdd(options.batch())) {
                            k.enqueue(c, from, (int) Math.min(options.batch(), messages - from));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            producers.shutdown();
        }
    }

    /** Every message called, then nothing left unfinished in the database. */
    private static void awaitDrained(Contender k, Connection c, Probe.Drain probe, int messages) throws Exception {
        Progress progress = new Progress(k, probe, messages);
        while (probe.total() < messages) {
            progress.check();
            Thread.sleep(1);
        }
        while (k.unfinished(c) > 0) {
            progress.check();
            Thread.sleep(2);
        }
    }

    /** Fails a run that stops making progress for three minutes (a contender that cannot reach its database). */
    private static final class Progress {
        private final Contender k;
        private final Probe.Drain probe;
        private final int messages;
        private long calls = -1;
        private long since = System.nanoTime();

        Progress(Contender k, Probe.Drain probe, int messages) {
            this.k = k;
            this.probe = probe;
            this.messages = messages;
        }

        void check() {
            long now = System.nanoTime();
            if (probe.total() != calls) {
                calls = probe.total();
                since = now;
            } else if (now - since > TimeUnit.MINUTES.toNanos(3)) {
                throw new IllegalStateException(k.name() + " made no progress for 3 minutes draining " + messages
                        + " messages (" + calls + " calls)");
            }
        }
    }

    /**
     * A steady offered load of single-message host transactions from two producers, then single
     * messages to an idle consumer, spaced 100 to 150 ms apart.
     */
    private Figures.Latency latency(Contender k, HikariDataSource pool, int from) throws Exception {
        Probe.Latency steady = new Probe.Latency();
        Probe.Latency idle = new Probe.Latency();
        Probe.Latency[] current = {steady};
        Contender.Consumer consumer = k.start(pool, seq -> current[0].called(seq));
        try {
            Thread.sleep(500);
            int producers = 2;
            long period = TimeUnit.SECONDS.toNanos(1) * producers / options.steadyRate();
            int perProducer = options.steadyRate() * options.steadySeconds() / producers;
            AtomicLong seqs = new AtomicLong(from);
            ExecutorService pool2 = Executors.newFixedThreadPool(producers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    long offset = p * period / producers;
                    done.add(pool2.submit(() -> {
                        try (Connection c = pool.getConnection()) {
                            long start = System.nanoTime() + offset;
                            for (int i = 0; i < perProducer; i++) {
                                LockSupport.parkNanos(start + i * period - System.nanoTime());
                                long seq = seqs.getAndIncrement();
                                k.enqueue(c, seq, 1);
                                steady.committed(seq, System.nanoTime());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool2.shutdown();
            }
            Thread.sleep(1000);
            current[0] = idle;
            try (Connection c = pool.getConnection()) {
                for (int i = 0; i < options.idleProbes(); i++) {
                    Thread.sleep(100 + ThreadLocalRandom.current().nextInt(50));
                    long seq = seqs.getAndIncrement();
                    k.enqueue(c, seq, 1);
                    idle.committed(seq, System.nanoTime());
                }
            }
            Thread.sleep(1000);
        } finally {
            consumer.stop();
        }
        return new Figures.Latency(options.steadyRate(), steady.samples(), steady.percentileMillis(50),
                steady.percentileMillis(99), idle.samples(), idle.percentileMillis(50), idle.percentileMillis(99));
    }

    private static Figures.Bloat bloat(Connection c, long indexBefore, long tableBefore) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT n_dead_tup, autovacuum_count FROM pg_stat_user_tables WHERE relname = 'outbound_message'""");
                ResultSet rs = p.executeQuery()) {
            rs.next();
            return new Figures.Bloat(indexBefore, size(c, "outbound_message_claim"), tableBefore,
                    size(c, "outbound_message"), rs.getLong(1), rs.getLong(2));
        }
    }

    private static long size(Connection c, String relation) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_relation_size(?::regclass)")) {
            p.setString(1, relation);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}

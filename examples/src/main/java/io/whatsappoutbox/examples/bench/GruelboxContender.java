package io.whatsappoutbox.examples.bench;

import com.gruelbox.transactionoutbox.Dialect;
import com.gruelbox.transactionoutbox.Instantiator;
import com.gruelbox.transactionoutbox.Persistor;
import com.gruelbox.transactionoutbox.Submitter;
import com.gruelbox.transactionoutbox.ThreadLocalContextTransactionManager;
import com.gruelbox.transactionoutbox.TransactionManager;
import com.gruelbox.transactionoutbox.TransactionOutbox;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * gruelbox transaction-outbox 4.2.268: one entry per message scheduled in the host's transaction
 * (its thread-local transaction manager on the same pool), processed by a worker pool with the
 * same number of threads. One flusher thread calls {@code flush()} (batches of the same size,
 * 2-minute attempt frequency as the lease): several concurrent flushers can leave an entry locked
 * for its whole lease. While the backlog is written, the post-commit submission is switched off so
 * that the drain starts from a full table; in the latency runs it is on (its normal path).
 */
final class GruelboxContender implements Contender {
    /** The peer refuses an entry due now; the runner waits longer than this before a drain. */
    private static final Duration BACKLOG_DUE = Duration.ofMillis(500);

    private final int batch;
    private final int threads;
    private final GruelboxHandler handler = new GruelboxHandler();
    private volatile ThreadLocalContextTransactionManager transactions;
    private volatile TransactionOutbox enqueuer;

    GruelboxContender(int batch, int threads) {
        this.batch = batch;
        this.threads = threads;
    }

    @Override
    public String name() {
        return "transaction-outbox";
    }

    @Override
    public String settings() {
        return "4.2.268, " + threads + " worker threads + 1 flusher, flushBatchSize " + batch
                + ", idle flush every 100 ms, post-commit submission on in the latency runs";
    }

    @Override
    public boolean outboxSchema() {
        return false;
    }

    @Override
    public void install(DataSource ds, int messages) {
        outbox(TransactionManager.fromDataSource(ds), (entry, work) -> { }, BACKLOG_DUE);
    }

    @Override
    public void attach(DataSource ds) {
        transactions = TransactionManager.fromDataSource(ds);
        // entries stay in the table for the drain (it only starts once they are due)
        enqueuer = outbox(transactions, (entry, work) -> { }, BACKLOG_DUE);
    }

    private TransactionOutbox outbox(TransactionManager tm, Submitter submitter, Duration attemptFrequency) {
        return TransactionOutbox.builder()
                .transactionManager(tm)
                .persistor(Persistor.forDialect(Dialect.POSTGRESQL_9))
                .instantiator(Instantiator.using(c -> handler))
                .submitter(submitter)
                .attemptFrequency(attemptFrequency)
                .flushBatchSize(batch)
                .build();
    }

    @Override
    public void enqueue(Connection c, long from, int count) {
        TransactionOutbox outbox = enqueuer;
        transactions.inTransaction(() -> {
            for (int i = 0; i < count; i++) {
                outbox.schedule(GruelboxHandler.class).send(from + i);
            }
        });
    }

    @Override
    public Consumer start(DataSource ds, Probe probe) {
        handler.probe(probe);
        ThreadPoolExecutor workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>());
        ThreadLocalContextTransactionManager tm = TransactionManager.fromDataSource(ds);
        TransactionOutbox outbox = outbox(tm, Submitter.withExecutor(workers), Duration.ofMinutes(2));
        transactions = tm;
        enqueuer = outbox;
        AtomicBoolean running = new AtomicBoolean(true);
        Thread flusher = new Thread(() -> {
            while (running.get()) {
                try {
                    if (workers.getQueue().size() > batch) {
                        Thread.sleep(1);
                    } else if (!outbox.flush()) {
                        Thread.sleep(100);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    System.err.println("transaction-outbox flush failed: " + e);
                }
            }
        }, "gruelbox-flusher");
        flusher.setDaemon(true);
        flusher.start();
        return () -> {
            running.set(false);
            flusher.interrupt();
            flusher.join(10_000);
            workers.shutdown();
            workers.awaitTermination(30, TimeUnit.SECONDS);
        };
    }

    @Override
    public long unfinished(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM txno_outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

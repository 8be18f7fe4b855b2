package io.whatsappoutbox.examples.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * db-scheduler 16.7.0 as an outbox: a one-time task per message, scheduled in batches, executed
 * by a scheduler with the same number of threads polling with lock-and-fetch (which fetches at
 * most 3 executions per thread: its own upper limit), no-op work. db-scheduler has no hook into
 * a host's plain JDBC transaction: the batch is written on its own connection.
 */
final class DbSchedulerContender implements Contender {
    private static final String TABLE = """
            CREATE TABLE scheduled_tasks (
                task_name            text                     NOT NULL,
                task_instance        text                     NOT NULL,
                task_data            bytea,
                execution_time       timestamp with time zone NOT NULL,
                picked               boolean                  NOT NULL,
                picked_by            text,
                last_success         timestamp with time zone,
                last_failure         timestamp with time zone,
                consecutive_failures int,
                last_heartbeat       timestamp with time zone,
                version              bigint                   NOT NULL,
                priority             smallint,
                PRIMARY KEY (task_name, task_instance)
            );
            CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);""";

    private final int threads;
    private volatile Probe probe = seq -> { };
    private final OneTimeTask<String> task = Tasks.oneTime("send-message", String.class)
            .execute((instance, context) -> probe.called(Long.parseLong(instance.getId())));
    private SchedulerClient client;

    DbSchedulerContender(int threads) {
        this.threads = threads;
    }

    @Override
    public String name() {
        return "db-scheduler";
    }

    @Override
    public String settings() {
        return "16.7.0, one-time tasks, " + threads + " threads, pollUsingLockAndFetch(1.0, 3.0) (at most "
                + 3 * threads + " per fetch), polling interval 100 ms, immediate execution on";
    }

    @Override
    public boolean outboxSchema() {
        return false;
    }

    @Override
    public void install(DataSource ds, int messages) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(TABLE);
        }
    }

    @Override
    public void attach(DataSource ds) {
        client = SchedulerClient.Builder.create(ds, task).build();
    }

    @Override
    public void enqueue(Connection c, long from, int count) {
        List<TaskInstance<?>> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = from + i;
            batch.add(task.instance(Long.toString(seq), Workload.phone(seq)));
        }
        client.scheduleBatch(batch, Instant.now());
    }

    @Override
    public Consumer start(DataSource ds, Probe probe) {
        this.probe = probe;
        Scheduler scheduler = Scheduler.create(ds, task)
                .threads(threads)
                .pollUsingLockAndFetch(1.0, 3.0)
                .pollingInterval(Duration.ofMillis(100))
                .enableImmediateExecution()
                .shutdownMaxWait(Duration.ofSeconds(5))
                .build();
        scheduler.start();
        // scheduled through the running scheduler, a message is picked up at once (immediate execution)
        client = scheduler;
        return scheduler::stop;
    }

    @Override
    public long unfinished(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM scheduled_tasks")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

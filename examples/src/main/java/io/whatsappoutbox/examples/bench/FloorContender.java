package io.whatsappoutbox.examples.bench;

import io.whatsappoutbox.jdbc.OutboxMigrator;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * The floor: the fewest statements an outbox of this design needs per batch, as a plain JDBC loop
 * on the library's own schema (same table, same indexes, same insert trigger): one batched insert
 * per host transaction; one claim statement ({@code UPDATE ... WHERE id = ANY(ARRAY(SELECT ... LIMIT n
 * FOR UPDATE SKIP LOCKED)) RETURNING}: the {@code IN (SELECT ...)} spelling lets the planner hash
 * the subquery and scan the whole table); one completion statement over arrays that also writes the
 * attempt rows (a data-modifying CTE). Both run in autocommit: two commits per batch. No rules,
 * no quota, no metrics, nothing mapped but what a send needs. Idle workers poll every 5 ms.
 */
final class FloorContender implements Contender {
    static final String PAYLOAD = "{\"name\":\"appointment_reminder\",\"language\":\"fr\",\"parameters\":[{\"text\":\"x\"}]}";
    private static final String HASH = "0".repeat(64);

    private static final String INSERT = """
            INSERT INTO outbound_message (org_id, channel, to_recipient, template_code, content_type, payload_json,
                content_hash, status, idempotency_key, max_attempts, next_attempt_at, created_at, updated_at)
            SELECT x.org_id, 'WHATSAPP', x.to_recipient, 'appointment_reminder', 'TEMPLATE', x.payload::jsonb,
                   x.content_hash, 'QUEUED', x.idempotency_key, 5, now(), now(), now()
              FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                   AS x(org_id, to_recipient, payload, content_hash, idempotency_key)""";
    private static final String CLAIM = """
            UPDATE outbound_message m
               SET status = 'SENDING', locked_by = ?, locked_until = now() + interval '2 minutes',
                   attempt_count = m.attempt_count + 1, updated_at = now()
             WHERE m.id = ANY(ARRAY(SELECT q.id FROM outbound_message q
                                    WHERE q.org_id = ? AND q.channel = 'WHATSAPP' AND q.status = 'QUEUED'
                                      AND q.next_attempt_at <= now()
                                    ORDER BY q.next_attempt_at, q.id
                                    LIMIT ?
                                      FOR UPDATE SKIP LOCKED))
            RETURNING m.id, m.org_id, m.to_recipient, m.idempotency_key, m.payload_json, m.attempt_count""";
    private static final String COMPLETE = """
            WITH done AS (
                UPDATE outbound_message m
                   SET status = 'SENT', provider = 'floor', provider_message_id = u.pid, sent_at = now(),
                       locked_until = NULL, updated_at = now()
                  FROM unnest(?::bigint[], ?::text[]) AS u(id, pid)
                 WHERE m.id = u.id AND m.locked_by = ? AND m.status = 'SENDING'
                RETURNING m.id, m.org_id, m.attempt_count, m.provider_message_id
            )
            INSERT INTO outbound_attempt (message_id, org_id, attempt_number, provider, outcome, provider_message_id,
                                          lease_owner, started_at, duration_ms)
            SELECT d.id, d.org_id, d.attempt_count, 'floor', 'SENT', d.provider_message_id, ?, now(), 0
              FROM done d""";

    private final Workload workload;
    private final int batch;
    private final int threads;

    FloorContender(Workload workload, int batch, int threads) {
        this.workload = workload;
        this.batch = batch;
        this.threads = threads;
    }

    @Override
    public String name() {
        return "floor/" + batch;
    }

    @Override
    public String settings() {
        return "plain JDBC, " + threads + " threads, claim " + batch + " per statement, 1 claim + 1 completion"
                + " statement per batch (autocommit), idle poll 5 ms";
    }

    @Override
    public void install(DataSource ds, int messages) {
        OutboxMigrator.migrate(ds);
    }

    @Override
    public void enqueue(Connection c, long from, int count) throws SQLException {
        String[] orgs = new String[count];
        String[] to = new String[count];
        String[] payloads = new String[count];
        String[] hashes = new String[count];
        String[] keys = new String[count];
        for (int i = 0; i < count; i++) {
            long seq = from + i;
            orgs[i] = workload.org(seq);
            to[i] = Workload.phone(seq);
            payloads[i] = PAYLOAD;
            hashes[i] = HASH;
            keys[i] = Workload.key(seq);
        }
        c.setAutoCommit(false);
        try (PreparedStatement p = c.prepareStatement(INSERT)) {
            p.setArray(1, c.createArrayOf("text", orgs));
            p.setArray(2, c.createArrayOf("text", to));
            p.setArray(3, c.createArrayOf("text", payloads));
            p.setArray(4, c.createArrayOf("text", hashes));
            p.setArray(5, c.createArrayOf("text", keys));
            p.executeUpdate();
        }
        c.commit();
    }

    @Override
    public Consumer start(DataSource ds, Probe probe) {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int worker = t;
            Thread thread = new Thread(() -> work(ds, probe, running, worker), "floor-" + t);
            thread.setDaemon(true);
            thread.start();
            workers.add(thread);
        }
        return () -> {
            running.set(false);
            for (Thread t : workers) {
                t.join(10_000);
            }
        };
    }

    private void work(DataSource ds, Probe probe, AtomicBoolean running, int worker) {
        String owner = "floor-" + worker;
        int lane = worker;
        try (Connection c = ds.getConnection(); PreparedStatement claim = c.prepareStatement(CLAIM);
                PreparedStatement complete = c.prepareStatement(COMPLETE)) {
            c.setAutoCommit(true);
            int emptyLanes = 0;
            while (running.get()) {
                String org = Workload.orgName(lane++ % workload.orgs());
                List<Long> ids = new ArrayList<>(batch);
                List<String> pids = new ArrayList<>(batch);
                claim.setString(1, owner);
                claim.setString(2, org);
                claim.setInt(3, batch);
                try (ResultSet rs = claim.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        // what a provider call needs: recipient and payload are read, the call is a no-op
                        rs.getString(3);
                        rs.getString(5);
                        probe.called(Workload.seqOfKey(rs.getString(4)));
                        ids.add(id);
                        pids.add("floor." + id);
                    }
                }
                if (ids.isEmpty()) {
                    if (++emptyLanes >= workload.orgs()) {
                        emptyLanes = 0;
                        Thread.sleep(5);
                    }
                    continue;
                }
                emptyLanes = 0;
                Array idArray = c.createArrayOf("int8", ids.toArray());
                complete.setArray(1, idArray);
                complete.setArray(2, c.createArrayOf("text", pids.toArray()));
                complete.setString(3, owner);
                complete.setString(4, owner);
                complete.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("floor worker " + worker + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public long unfinished(Connection c) throws SQLException {
        return OutboxCounts.unfinished(c);
    }

    /** Counts on the outbound_message schema, shared by the floor and the library. */
    static final class OutboxCounts {
        private OutboxCounts() {}

        static long unfinished(Connection c) throws SQLException {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM outbound_message WHERE status IN ('QUEUED', 'SENDING')")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}

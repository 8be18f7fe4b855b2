package io.whatsappoutbox.examples.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What the server counted for one database: commits and tuples from {@code pg_stat_database}
 * (flushed by a backend when it exits, so the contender's pool is closed before reading), and
 * statements from {@code pg_stat_statements} (counted at once). {@code BEGIN} is not counted as a
 * statement: the driver sends it in the same round trip as the first statement of a transaction.
 * WAL and checkpoints are the whole server's ({@code pg_stat_wal}, {@code pg_stat_checkpointer}):
 * one contender runs at a time.
 */
record DbStats(long commits, long inserted, long updated, long deleted, long statements, List<Top> top,
        long walBytes, long checkpoints) {

    /** One normalised statement and what it cost. */
    record Top(long calls, double totalMillis, long rows, long buffersHit, long buffersRead, long plans,
            double planMillis, String query) {}

    private static final String DATABASE = """
            SELECT xact_commit, tup_inserted, tup_updated, tup_deleted
              FROM pg_stat_database WHERE datname = ?""";
    private static final String WAL = """
            SELECT w.wal_bytes::bigint, c.num_timed + c.num_requested
              FROM pg_stat_wal w CROSS JOIN pg_stat_checkpointer c""";
    private static final String STATEMENTS = """
            SELECT calls, total_exec_time, rows, shared_blks_hit, shared_blks_read, plans, total_plan_time, query
              FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = ?)
               AND query NOT ILIKE 'BEGIN%'
             ORDER BY total_exec_time DESC""";

    static DbStats read(DataSource admin, String database) throws SQLException {
        try (Connection c = admin.getConnection()) {
            long commits;
            long inserted;
            long updated;
            long deleted;
            try (PreparedStatement p = c.prepareStatement(DATABASE)) {
                p.setString(1, database);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("no statistics for database " + database);
                    }
                    commits = rs.getLong(1);
                    inserted = rs.getLong(2);
                    updated = rs.getLong(3);
                    deleted = rs.getLong(4);
                }
            }
            List<Top> top = new ArrayList<>();
            long statements = 0;
            try (PreparedStatement p = c.prepareStatement(STATEMENTS)) {
                p.setString(1, database);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        Top t = new Top(rs.getLong(1), rs.getDouble(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                                rs.getLong(6), rs.getDouble(7), rs.getString(8));
                        statements += t.calls();
                        top.add(t);
                    }
                }
            }
            long walBytes;
            long checkpoints;
            try (PreparedStatement p = c.prepareStatement(WAL); ResultSet rs = p.executeQuery()) {
                rs.next();
                walBytes = rs.getLong(1);
                checkpoints = rs.getLong(2);
            }
            return new DbStats(commits, inserted, updated, deleted, statements, top, walBytes, checkpoints);
        }
    }

    /** What happened between {@code before} and this snapshot (statement counters are reset between phases). */
    DbStats since(DbStats before) {
        return new DbStats(commits - before.commits, inserted - before.inserted, updated - before.updated,
                deleted - before.deleted, statements, top, walBytes - before.walBytes,
                checkpoints - before.checkpoints);
    }

    /** The statements that took most of the server's time, shortened for a terminal. */
    List<String> describeTop(int n, long messages) {
        List<String> lines = new ArrayList<>();
        for (Top t : top.subList(0, Math.min(n, top.size()))) {
            String q = t.query().replaceAll("\\s+", " ").trim();
            long calls = Math.max(1, t.calls());
            lines.add(String.format(
                    "%8d calls %6.3f/msg %9.1f ms %7.1f us/call %7.0f buffers/call (%.0f read) %5d plans %7.1f us/plan  %s",
                    t.calls(), (double) t.calls() / Math.max(1, messages), t.totalMillis(),
                    1000 * t.totalMillis() / calls, (double) (t.buffersHit() + t.buffersRead()) / calls,
                    (double) t.buffersRead() / calls, t.plans(), 1000 * t.planMillis() / Math.max(1, t.plans()),
                    q.length() > 80 ? q.substring(0, 80) + "..." : q));
        }
        return lines;
    }
}

package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ops.ArchiveFailedException;
import io.whatsappoutbox.jdbc.ops.ArchiveFormat;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.RetentionPolicy;
import io.whatsappoutbox.jdbc.ops.RetentionResult;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The retention policy applied: settled history deleted in batches, each a short transaction of its
 * own, rows a claim or another run holds skipped. With an archive directory each batch is first
 * written to a JSON Lines file of its own and proved to hold exactly the rows deleted
 * ({@link CheckedArchive}); a batch that fails rolls back and leaves no file, the batches before it
 * stay deleted and archived. The run is audited even when a batch fails. Internal.
 */
final class RetentionRuns {
    static final int BATCH = 1000;
    /** Only statuses no dispatcher, receipt or operator procedure moves on from. */
    private static final List<String> SETTLED_STATUSES = List.of("SENT", "DELIVERED", "READ", "CANCELLED");
    private static final String SETTLED_ROWS = """
            SELECT m.id FROM outbound_message m
             WHERE m.status = ANY(:settled)
               AND m.updated_at < :cutoff AND (CAST(:org AS text) IS NULL OR m.org_id = :org)
               -- settled before the cutoff, so created before it: the BRIN index on created_at narrows the scan
               AND m.created_at < :cutoff""";
    private static final String DELETE_SETTLED = """
            WITH doomed AS (""" + SETTLED_ROWS + """
                 LIMIT :limit FOR UPDATE SKIP LOCKED),
            attempts AS (DELETE FROM outbound_attempt a USING doomed d WHERE a.message_id = d.id RETURNING 1),
            messages AS (DELETE FROM outbound_message m USING doomed d WHERE m.id = d.id RETURNING 1)
            SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM attempts) AS attempts""";
    private static final String LOCK_SETTLED = SETTLED_ROWS + " ORDER BY m.id LIMIT :limit FOR UPDATE SKIP LOCKED";
    private static final String COUNT_SETTLED = """
            WITH doomed AS (""" + SETTLED_ROWS + """
            )
            SELECT (SELECT count(*) FROM doomed) AS messages,
                   (SELECT count(*) FROM outbound_attempt a JOIN doomed d ON a.message_id = d.id) AS attempts""";
    private static final String INBOUND_ROWS = """
            SELECT id FROM message WHERE created_at < :cutoff AND (CAST(:org AS text) IS NULL OR org_id = :org)""";
    private static final String AUDIT_ROWS = """
            SELECT id FROM outbox_audit WHERE created_at < :cutoff AND (CAST(:org AS text) IS NULL OR org_scope = :org)""";

    private final Jdbi jdbi;
    private final Clock clock;
    private final CheckedArchive files;

    RetentionRuns(Jdbi jdbi, Clock clock, CheckedArchive files) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.files = files;
    }

    /** @param archiveDirectory where each batch is archived before it is deleted, or null to delete only */
    RetentionResult run(Scope scope, RetentionPolicy policy, Operator operator, boolean dryRun, Path archiveDirectory) {
        return run(scope, policy, operator, dryRun, archiveDirectory, Integer.MAX_VALUE).result();
    }

    /** A run's result, and whether it went through or stopped at its batch budget with rows left. */
    record Outcome(RetentionResult result, boolean complete) {}

    /** @param maxBatches the batches this run may delete; a run that spends them stops, incomplete */
    Outcome run(Scope scope, RetentionPolicy policy, Operator operator, boolean dryRun, Path archiveDirectory,
            int maxBatches) {
        Violations v = new Violations();
        v.requireNonNull("scope", scope);
        v.requireNonNull("policy", policy);
        v.requireNonNull("operator", operator);
        if (archiveDirectory != null && !Files.isDirectory(archiveDirectory)) {
            v.add("archiveDirectory", "'" + archiveDirectory + "' is not a directory", "an existing, writable directory");
        }
        v.throwIfAny("retention run");
        Instant now = clock.instant();
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("settledMessages", text(policy.settledMessages()));
        filter.put("inboundMessages", text(policy.inboundMessages()));
        filter.put("auditLog", text(policy.auditLog()));
        if (archiveDirectory != null) {
            filter.put("archiveDirectory", archiveDirectory.toAbsolutePath().normalize().toString());
        }
        AuditLog.Entry entry = AuditLog.Entry.start(OperationKind.RUN_RETENTION, operator, scope.label(), filter, dryRun);
        Run run = new Run(scope.orgIdOrNull(), dryRun,
                archiveDirectory == null ? null : archiveDirectory.toAbsolutePath().normalize(), entry.operationId(),
                maxBatches);
        RuntimeException failure = null;
        try {
            if (policy.settledMessages() != null) {
                run.settled(now.minus(policy.settledMessages()));
            }
            if (policy.inboundMessages() != null && run.complete) {
                run.inbound = run.rows("message", INBOUND_ROWS, now.minus(policy.inboundMessages()));
            }
            if (policy.auditLog() != null && run.complete) {
                run.audit = run.rows("outbox_audit", AUDIT_ROWS, now.minus(policy.auditLog()));
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("settledMessages", run.settled);
        details.put("attempts", run.attempts);
        details.put("inboundMessages", run.inbound);
        details.put("auditRows", run.audit);
        if (archiveDirectory != null) {
            details.put("archiveFiles", run.archives);
        }
        details.put("complete", failure == null && run.complete);
        if (failure != null) {
            details.put("error", failure.getMessage());
        }
        long total = run.settled + run.inbound + run.audit;
        jdbi.useTransaction(h -> AuditLog.insert(h, entry, (int) Math.min(Integer.MAX_VALUE, total), details, now));
        if (failure != null) {
            throw failure;
        }
        return new Outcome(new RetentionResult(entry.operationId(), dryRun, now, scope.label(), run.settled,
                run.attempts, run.inbound, run.audit, List.copyOf(run.archives)), run.complete);
    }

    /** One run's counts so far, which its audit row reports even when a batch fails. */
    private final class Run {
        private final String org;
        private final boolean dryRun;
        private final Path directory;
        private final UUID operationId;
        private final int maxBatches;
        private final List<String> archives = new ArrayList<>();
        private int batches;
        /** False once the batch budget is spent with rows left. */
        boolean complete = true;
        long settled;
        long attempts;
        long inbound;
        long audit;

        Run(String org, boolean dryRun, Path directory, UUID operationId, int maxBatches) {
            this.maxBatches = maxBatches;
            this.org = org;
            this.dryRun = dryRun;
            this.directory = directory;
            this.operationId = operationId;
        }

        void settled(Instant cutoff) {
            if (dryRun) {
                long[] counted = jdbi.withHandle(h -> h.createQuery(COUNT_SETTLED).bind("cutoff", cutoff)
                        .bind("org", org).bindArray("settled", String.class, SETTLED_STATUSES)
                        .map((rs, ctx) -> new long[] {rs.getLong("messages"), rs.getLong("attempts")}).one());
                settled = counted[0];
                attempts = counted[1];
                return;
            }
            long[] batch;
            do {
                batch = directory == null ? deleteSettled(cutoff) : archiveSettled(cutoff);
                settled += batch[0];
                attempts += batch[1];
            } while (batch[0] == BATCH && budgetLeft());
        }

        private long[] deleteSettled(Instant cutoff) {
            return jdbi.inTransaction(h -> h.createQuery(DELETE_SETTLED).bind("cutoff", cutoff).bind("org", org)
                    .bindArray("settled", String.class, SETTLED_STATUSES).bind("limit", BATCH)
                    .map((rs, ctx) -> new long[] {rs.getLong("messages"), rs.getLong("attempts")}).one());
        }

        private long[] archiveSettled(Instant cutoff) {
            return archived("outbound_message", (h, target, placed) -> {
                List<Long> ids = h.createQuery(LOCK_SETTLED).bind("cutoff", cutoff).bind("org", org)
                        .bindArray("settled", String.class, SETTLED_STATUSES).bind("limit", BATCH)
                        .mapTo(Long.class).list();
                if (ids.isEmpty()) {
                    return new long[] {0, 0};
                }
                CheckedArchive.Written written = files.messages(h, ids, ArchiveFormat.JSONL, target, null, placed);
                int deleted = DeadLetterArchiver.delete(h, ids, written.attemptIds().size(),
                        SETTLED_STATUSES.toArray(String[]::new));
                return new long[] {deleted, written.attemptIds().size()};
            });
        }

        long rows(String table, String select, Instant cutoff) {
            if (dryRun) {
                return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM (" + select + ") x")
                        .bind("cutoff", cutoff).bind("org", org).mapTo(Long.class).one());
            }
            String lock = select + " ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED";
            long total = 0;
            long n;
            do {
                if (directory == null) {
                    n = jdbi.inTransaction(h -> h.createUpdate("DELETE FROM " + table + " WHERE id IN (" + lock + ")")
                            .bind("cutoff", cutoff).bind("org", org).bind("limit", BATCH).execute());
                } else {
                    n = archived(table, (h, target, placed) -> {
                        List<Long> ids = h.createQuery(lock).bind("cutoff", cutoff).bind("org", org)
                                .bind("limit", BATCH).mapTo(Long.class).list();
                        if (ids.isEmpty()) {
                            return new long[] {0};
                        }
                        files.rows(h, table, ids, target, placed);
                        int deleted = h.createUpdate("DELETE FROM " + table + " WHERE id = ANY(:ids::bigint[])")
                                .bindArray("ids", Long.class, ids).execute();
                        if (deleted != ids.size()) {
                            throw new ArchiveFailedException("Deleted " + deleted + " row(s) of " + table + " where "
                                    + ids.size() + " were written; rolled back, nothing of this batch was deleted");
                        }
                        return new long[] {deleted};
                    })[0];
                }
                total += n;
            } while (n == BATCH && budgetLeft());
            return total;
        }

        /** Counts a full batch just done; false, and the run incomplete, when it was the last the budget allows. */
        private boolean budgetLeft() {
            if (++batches < maxBatches) {
                return true;
            }
            complete = false;
            return false;
        }

        /** One batch archived and deleted in one transaction; its file is removed unless it commits with some rows. */
        private long[] archived(String table, Batch batch) {
            Path file = directory.resolve("retention-" + operationId + "-" + table + "-"
                    + String.format("%04d", archives.size() + 1) + ".jsonl");
            CheckedArchive.Target target = CheckedArchive.Target.of(file, operationId);
            List<Path> placed = new ArrayList<>();
            long[] done;
            try {
                done = jdbi.inTransaction(h -> batch.run(h, target, placed));
            } catch (IOException e) {
                throw CheckedArchive.cleanUp(new ArchiveFailedException("Could not write " + file + ": "
                        + e.getMessage() + "; nothing of this batch was deleted", e), placed, target);
            } catch (RuntimeException e) {
                throw CheckedArchive.cleanUp(e, placed, target);
            }
            if (done[0] > 0) {
                archives.add(file.toString());
            }
            return done;
        }
    }

    @FunctionalInterface
    private interface Batch {
        long[] run(Handle h, CheckedArchive.Target target, List<Path> placed) throws IOException;
    }

    private static String text(Duration d) {
        return d == null ? "forever" : d.toDays() + "d";
    }
}

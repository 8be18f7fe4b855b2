package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.RetentionPolicy;
import io.whatsappoutbox.jdbc.ops.RetentionResult;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention policy run by the dispatchers' maintenance, once per interval across every
 * instance on the database: an advisory lock elects the instance, the last scheduled run's audit row
 * says whether one is due. Maintenance runs on a claim thread, so a pass deletes at most
 * {@link #BATCHES_PER_PASS} batches; a run that stops with rows left is taken up by the next pass.
 * Internal.
 */
public final class RetentionSchedule {
    private static final Logger log = LoggerFactory.getLogger(RetentionSchedule.class);
    static final int BATCHES_PER_PASS = 2;
    static final Duration FAILURE_WAIT = Duration.ofMinutes(15);
    /** Who the audit log names for the scheduled runs. */
    static final String OPERATOR = "whatsapp-outbox-retention";
    /** pg_try_advisory_lock key: "WAOR" (whatsapp-outbox retention). */
    private static final long LOCK = 0x57414f52L;
    private static final String LAST_RUN = """
            SELECT created_at, coalesce((details_json->>'complete')::boolean, true) AS complete
              FROM outbox_audit
             WHERE action = 'RUN_RETENTION' AND operator = :operator AND NOT dry_run
             ORDER BY created_at DESC, id DESC
             LIMIT 1""";

    private final Jdbi jdbi;
    private final RetentionRuns runs;
    private final RetentionPolicy policy;
    private final Duration every;
    private final Path archiveDirectory;
    /** After a failed pass, this instance waits until then: a broken archive directory is not retried every pass. */
    private volatile Instant retryAt = Instant.MIN;

    /** @param archiveDirectory where each batch is archived first, or null to delete only */
    public RetentionSchedule(Jdbi jdbi, Clock clock, RetentionPolicy policy, Duration every,
            Path archiveDirectory) {
        this.jdbi = jdbi;
        this.runs = new RetentionRuns(jdbi, clock, new CheckedArchive(s -> s));
        this.policy = policy;
        this.every = every;
        this.archiveDirectory = archiveDirectory;
    }

    private record LastRun(Instant at, boolean complete) {}

    /**
     * Runs a pass of the policy if one is due and no other instance runs it now.
     *
     * @return the pass's result, or empty when none was due or another instance held the lock
     */
    public Optional<RetentionResult> runIfDue(Instant now) {
        if (now.isBefore(retryAt)) {
            return Optional.empty();
        }
        return jdbi.withHandle(h -> {
            if (!h.createQuery("SELECT pg_try_advisory_lock(:key)").bind("key", LOCK).mapTo(Boolean.class).one()) {
                return Optional.empty();
            }
            try {
                Optional<LastRun> last = h.createQuery(LAST_RUN).bind("operator", OPERATOR)
                        .map((rs, ctx) -> new LastRun(rs.getTimestamp("created_at").toInstant(), rs.getBoolean("complete")))
                        .findOne();
                if (last.isPresent() && last.get().complete() && now.isBefore(last.get().at().plus(every))) {
                    return Optional.empty();
                }
                RetentionRuns.Outcome pass;
                try {
                    pass = runs.run(Scope.allOrgs(), policy, Operator.of(OPERATOR, "scheduled retention, every " + every),
                            false, archiveDirectory, BATCHES_PER_PASS);
                } catch (RuntimeException e) {
                    Duration wait = every.compareTo(FAILURE_WAIT) < 0 ? every : FAILURE_WAIT;
                    retryAt = now.plus(wait);
                    // the run's audit row holds the error too
                    log.warn("Scheduled retention failed, tried again in {}: {}", wait, SafeText.describe(e));
                    return Optional.empty();
                }
                RetentionResult r = pass.result();
                if (r.settledMessages() + r.inboundMessages() + r.auditRows() > 0) {
                    log.info("Scheduled retention deleted {} settled message(s), {} inbound message(s), {} audit row(s){}",
                            r.settledMessages(), r.inboundMessages(), r.auditRows(),
                            pass.complete() ? "" : "; more at the next maintenance");
                }
                return Optional.of(r);
            } finally {
                h.createQuery("SELECT pg_advisory_unlock(:key)").bind("key", LOCK).mapTo(Boolean.class).one();
            }
        });
    }
}

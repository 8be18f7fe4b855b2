package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.SendingHours;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.IllegalTransitionException;
import io.whatsappoutbox.core.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.NoSuchElementException;
import java.util.UUID;

/**
 * The operations runbook as one safe API: each procedure is one method, instead of SQL copied into
 * a terminal.
 *
 * <ul>
 *   <li>Every method reads or changes one org's messages unless it is given {@link Scope#allOrgs()}.
 *       A method that names one message takes its org too: another org's message is not found.</li>
 *   <li>Every change takes an {@link Operator} and writes a row to {@code outbox_audit} (operator,
 *       reason, scope, filter, counts, dry run) under an operation id, which is also stored on each
 *       touched message so {@link #progress} can follow it.</li>
 *   <li>Every change has a dry run that selects exactly what the real run would change and changes
 *       nothing (the dry run is audited too).</li>
 *   <li>Inputs are validated before any SQL runs ({@link InvalidInputException} names each bad
 *       field); values are always bound, never written into SQL.</li>
 *   <li>Moves between statuses follow {@link io.whatsappoutbox.core.internal.MessageStateMachine}; a retry
 *       keeps the history: attempt rows stay, and the last error stays readable until the next attempt.</li>
 * </ul>
 */
public interface OutboxOperations {

    // ---- reading ----

    /** Counts per status, oldest and newest per status, stuck QUEUED and stuck SENDING. */
    QueueStatus queueStatus(Scope scope, QueueStatusQuery query);

    /** Failures by code and category, failure rate per hour, affected orgs. */
    FailureAnalysis failureAnalysis(Scope scope, FailureQuery query);

    /** The dead letter: size, breakdowns, ages, growth, affected orgs, recommendations. */
    DeadLetterReport deadLetterReport(Scope scope, DeadLetterQuery query);

    /** WhatsApp messages created within {@code window}: sent, delivered and billable per org, template and pricing category. */
    UsageReport usage(Scope scope, Duration window);

    /** The runbook's dashboard JSON: per channel totals, success rate and latency over {@code window}. */
    ChannelHealthReport channelHealth(Scope scope, Duration window);

    /** Orgs using at least {@code minUsagePercent} of their quota, or throttled now, highest usage first. */
    List<QuotaUsage> quotas(Scope scope, double minUsagePercent);

    /**
     * Each business account of the orgs in scope with its use of Meta's messaging limit (unique
     * template recipients per rolling 24 hours), by account.
     */
    List<MessagingLimitUsage> messagingLimits(Scope scope);

    /** Provider configurations without secrets. */
    List<ProviderConfigSummary> providerConfigs(Scope scope);

    /** Provider configurations changed within {@code since}, newest first. */
    List<ConfigChange> configChanges(Scope scope, Duration since);

    /** Sizes, dead tuples, vacuum, index use and autovacuum settings of the outbox tables (no org data). */
    DatabaseHealth databaseHealth();

    /** Audit rows, newest first; an org sees its own operations only. */
    List<AuditEntry> auditLog(Scope scope, AuditQuery query);

    /**
     * Where the messages of an operation are now.
     *
     * @throws NoSuchElementException no such operation, or one run for another org (or for all
     *     orgs) seen from an org scope
     */
    OperationProgress progress(Scope scope, UUID operationId);

    // ---- changing ----

    /**
     * Sends a dead letter again: FAILED to QUEUED, due now, with a fresh attempt budget.
     *
     * @throws NoSuchElementException the org has no such message
     * @throws IllegalTransitionException the message is not FAILED
     */
    MessageChange retry(String orgId, long messageId, Operator operator, boolean dryRun);

    /**
     * Bulk retry of dead letters matching {@code filter}, oldest first, in batches with a pause
     * between them. Attempt rows and the last error are kept; attempts and deferrals restart at 0.
     */
    BulkResult retryDeadLetters(Scope scope, DeadLetterFilter filter, BulkOptions options, Operator operator);

    /**
     * Writes dead letters to a file for analysis, deleting nothing. The file holds full recipients:
     * that is why an export is audited like a change.
     *
     * @throws ArchiveFailedException the file could not be written or checked (nothing is left behind)
     */
    ArchiveResult exportDeadLetters(Scope scope, ExportRequest request, Operator operator);

    /**
     * Writes dead letters older than {@code request.filter().minAge()} (at least a day) to a file
     * and deletes exactly the rows written, their attempts with them. The rows are locked while they
     * are written; they are deleted only once the file is complete, flushed to disk and read back
     * with the same ids. Any failure deletes nothing.
     *
     * @throws ArchiveFailedException the file could not be written or checked
     */
    ArchiveResult archiveDeadLetters(Scope scope, ExportRequest request, Operator operator);

    /**
     * Recovers SENDING messages whose lease expired now, without waiting for the dispatchers'
     * automatic recovery: back to QUEUED, or to the dead letter (LEASE_EXPIRED) when their attempts
     * are used up, as the automatic recovery does.
     *
     * @param channel one channel, or null for both
     */
    BulkResult recoverStuckSending(Scope scope, Channel channel, BulkOptions options, Operator operator);

    /**
     * Withdraws one QUEUED or FAILED message.
     *
     * @throws NoSuchElementException the org has no such message
     * @throws IllegalTransitionException the message is past the point of cancelling
     */
    MessageChange cancel(String orgId, long messageId, Operator operator, boolean dryRun);

    /**
     * The runbook's manual channel fallback, through the fallback rules: WhatsApp dead letters
     * matching {@code filter}, without a fallback yet and selected by one of {@code rules}, each get
     * their SMS (the rule renders its text), once per parent however often this runs. The SMS still
     * needs SMS consent. The result lists the parents; the created messages carry the operation id.
     */
    BulkResult fallbackToSms(Scope scope, DeadLetterFilter filter, io.whatsappoutbox.core.FallbackRules rules,
            BulkOptions options, Operator operator);

    /** Withdraws the messages matching {@code filter}, in batches. */
    BulkResult cancelMessages(Scope scope, CancelFilter filter, BulkOptions options, Operator operator);

    /**
     * Sets an org's quota (creating its row if needed).
     *
     * @param period the quota's period, or null to keep the current one (a day for a new row)
     */
    QuotaChange setQuota(String orgId, long quotaLimit, Duration period, Operator operator, boolean dryRun);

    /** Restarts an org's count now (a fresh period) and lifts its throttle. */
    QuotaChange resetQuota(String orgId, Operator operator, boolean dryRun);

    /**
     * Deletes the scope's settled history older than {@code policy} (see {@link RetentionPolicy}
     * for what is never touched), in batches of 1,000 rows, each its own short transaction, so it
     * holds no long lock; a message's attempts go with it. A dry run counts the same rows and
     * deletes nothing. Audited once per run, with the counts.
     */
    RetentionResult runRetention(Scope scope, RetentionPolicy policy, Operator operator, boolean dryRun);

    /**
     * As {@link #runRetention(Scope, RetentionPolicy, Operator, boolean)}, archiving first: each
     * batch is written to a JSON Lines file of its own in {@code archiveDirectory} (every column;
     * a message with its attempts nested), synced and read back, and only the rows the file is
     * proved to hold are deleted, in the same transaction. A batch that fails rolls back and leaves
     * no file; the batches before it stay archived and deleted, and the audit row says so.
     */
    RetentionResult runRetention(Scope scope, RetentionPolicy policy, Operator operator, boolean dryRun,
            Path archiveDirectory);

    /** The org's sending hours, empty when it sends at any hour. */
    Optional<SendingHours> sendingHours(String orgId);

    /**
     * Sets the org's sending hours, or clears them ({@code hours} null). Dispatchers apply the
     * change at their next maintenance run; messages already waiting keep their time until claimed.
     */
    SendingHoursChange setSendingHours(String orgId, SendingHours hours, Operator operator, boolean dryRun);

    /**
     * Installs a new webhook secret: the app secret Meta generates when it is reset (App Dashboard,
     * App settings, Basic), given by the operator; stored sealed, never logged or audited. The
     * previous one keeps verifying for {@code overlap} (null: 7 days).
     *
     * <p>An app secret belongs to a Meta app, not to an org: with {@code Scope.org(o)} every org
     * whose current secret is {@code o}'s (served by the same app) gets the new one too, since Meta's
     * reset changed it for all of them; {@code Scope.allOrgs()} installs it for every org (one app
     * for the whole host). The result lists them.
     *
     * @throws NoSuchElementException the org has no provider configuration
     * @throws InvalidInputException a bad argument, or the secret is the org's current one already
     */
    SecretRotation rotateWebhookSecret(Scope scope, io.whatsappoutbox.core.Secret appSecret, Duration overlap,
            Operator operator, boolean dryRun);

    /** The overlap a rotation keeps the previous secret valid for, unless told otherwise. */
    Duration DEFAULT_SECRET_OVERLAP = Duration.ofDays(7);
}

package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.SendingHours;
import io.whatsappoutbox.jdbc.ops.SendingHoursChange;
import io.whatsappoutbox.jdbc.ops.RetentionPolicy;
import io.whatsappoutbox.jdbc.ops.RetentionResult;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.jdbc.ops.ArchiveResult;
import io.whatsappoutbox.jdbc.ops.AuditEntry;
import io.whatsappoutbox.jdbc.ops.AuditQuery;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.CancelFilter;
import io.whatsappoutbox.jdbc.ops.ChannelHealthReport;
import io.whatsappoutbox.jdbc.ops.ConfigChange;
import io.whatsappoutbox.jdbc.ops.DatabaseHealth;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterQuery;
import io.whatsappoutbox.jdbc.ops.DeadLetterReport;
import io.whatsappoutbox.jdbc.ops.ExportRequest;
import io.whatsappoutbox.jdbc.ops.FailureAnalysis;
import io.whatsappoutbox.jdbc.ops.FailureQuery;
import io.whatsappoutbox.jdbc.ops.MessageChange;
import io.whatsappoutbox.jdbc.ops.OperationProgress;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.Pacer;
import io.whatsappoutbox.jdbc.ops.ProviderConfigSummary;
import io.whatsappoutbox.jdbc.ops.QueueStatus;
import io.whatsappoutbox.jdbc.ops.QueueStatusQuery;
import io.whatsappoutbox.jdbc.ops.MessagingLimitUsage;
import io.whatsappoutbox.jdbc.ops.QuotaChange;
import io.whatsappoutbox.jdbc.ops.QuotaUsage;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.ops.UsageReport;
import io.whatsappoutbox.jdbc.ops.SecretRotation;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ProviderConfigs;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Jdbi;

/**
 * The operations API on PostgreSQL: a façade over one class per runbook section. Holds no state of
 * its own beyond what it is built with. Internal: hosts get it from {@code JdbcOutbox.operations()}.
 */
public final class JdbcOperations implements OutboxOperations {
    private final QueueReports queue;
    private final DeadLetterReports deadLetters;
    private final MessageChanges changes;
    private final ManualFallback fallback;
    private final DeadLetterArchiver archiver;
    private final QuotaOps quotas;
    private final SendingHoursOps sendingHours;
    private final RetentionRuns retention;
    private final ConfigOps configs;
    private final DatabaseHealthQuery health;
    private final AuditLog audit;
    private final MessagingLimits messagingLimits;
    private final Clock clock;

    /** What the store lends the operations: its Jdbi, its clock and its provider configs (for secret rotation). */
    public JdbcOperations(Jdbi jdbi, Clock clock, ProviderConfigs providerConfigs) {
        this(jdbi, clock, providerConfigs, Pacer.sleeping(), UnaryOperator.identity());
    }

    /** As the outbox builds it: fallbacks are written by the outbox's own writer (its default attempts). */
    public JdbcOperations(Jdbi jdbi, Clock clock, ProviderConfigs providerConfigs, EnqueueWriter enqueue,
            MessageRows rows) {
        this(jdbi, clock, providerConfigs, Pacer.sleeping(), UnaryOperator.identity(), enqueue, rows, null);
    }

    /** As the outbox builds it, with its messaging limits (their default limit). */
    public JdbcOperations(Jdbi jdbi, Clock clock, ProviderConfigs providerConfigs, EnqueueWriter enqueue,
            MessageRows rows, MessagingLimits messagingLimits) {
        this(jdbi, clock, providerConfigs, Pacer.sleeping(), UnaryOperator.identity(), enqueue, rows, messagingLimits);
    }

    /**
     * @param pacer waits between the batches of a bulk change
     * @param archiveStreams wraps the stream an archive is written through (tests make it fail)
     */
    public JdbcOperations(Jdbi jdbi, Clock clock, ProviderConfigs providerConfigs, Pacer pacer,
            UnaryOperator<OutputStream> archiveStreams) {
        this(jdbi, clock, providerConfigs, pacer, archiveStreams, null, null, null);
    }

    private JdbcOperations(Jdbi jdbi, Clock clock, ProviderConfigs providerConfigs, Pacer pacer,
            UnaryOperator<OutputStream> archiveStreams, EnqueueWriter enqueue, MessageRows rows,
            MessagingLimits messagingLimits) {
        Objects.requireNonNull(jdbi, "jdbi");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(providerConfigs, "providerConfigs");
        this.audit = new AuditLog(jdbi, clock);
        this.queue = new QueueReports(jdbi, clock);
        this.deadLetters = new DeadLetterReports(jdbi, clock);
        BulkRunner bulk = new BulkRunner(jdbi, clock, audit, Objects.requireNonNull(pacer, "pacer"));
        this.changes = new MessageChanges(jdbi, clock, audit, bulk);
        MessageRows messageRows = rows != null ? rows : new MessageRows(new ContentCodec());
        this.fallback = new ManualFallback(clock, audit, bulk, messageRows, enqueue != null ? enqueue
                : new EnqueueWriter(new ContentCodec(), messageRows, clock, 5, SchemaNames.of(jdbi)));
        CheckedArchive files = new CheckedArchive(Objects.requireNonNull(archiveStreams, "archiveStreams"));
        this.archiver = new DeadLetterArchiver(jdbi, clock, audit, files);
        this.quotas = new QuotaOps(jdbi, clock, audit);
        this.sendingHours = new SendingHoursOps(jdbi, clock);
        this.retention = new RetentionRuns(jdbi, clock, files);
        this.configs = new ConfigOps(jdbi, clock, audit, providerConfigs);
        this.health = new DatabaseHealthQuery(jdbi, clock);
        this.clock = clock;
        this.messagingLimits = messagingLimits != null ? messagingLimits : new MessagingLimits(jdbi, null);
    }

    @Override
    public QueueStatus queueStatus(Scope scope, QueueStatusQuery query) {
        return queue.queueStatus(scope, query);
    }

    @Override
    public FailureAnalysis failureAnalysis(Scope scope, FailureQuery query) {
        return queue.failureAnalysis(scope, query);
    }

    @Override
    public DeadLetterReport deadLetterReport(Scope scope, DeadLetterQuery query) {
        return deadLetters.report(scope, query);
    }

    @Override
    public UsageReport usage(Scope scope, Duration window) {
        return queue.usage(scope, window);
    }

    @Override
    public ChannelHealthReport channelHealth(Scope scope, Duration window) {
        return queue.channelHealth(scope, window);
    }

    @Override
    public List<QuotaUsage> quotas(Scope scope, double minUsagePercent) {
        return quotas.quotas(scope, minUsagePercent);
    }

    @Override
    public List<MessagingLimitUsage> messagingLimits(Scope scope) {
        Objects.requireNonNull(scope, "scope");
        String org = scope.orgIdOrNull();
        return messagingLimits.usage(org == null ? null : List.of(org), clock.instant());
    }

    @Override
    public List<ProviderConfigSummary> providerConfigs(Scope scope) {
        return configs.list(scope);
    }

    @Override
    public List<ConfigChange> configChanges(Scope scope, Duration since) {
        return configs.changes(scope, since);
    }

    @Override
    public DatabaseHealth databaseHealth() {
        return health.read();
    }

    @Override
    public List<AuditEntry> auditLog(Scope scope, AuditQuery query) {
        Objects.requireNonNull(scope, "scope");
        return audit.read(scope, Objects.requireNonNull(query, "query"));
    }

    @Override
    public OperationProgress progress(Scope scope, UUID operationId) {
        Objects.requireNonNull(scope, "scope");
        return audit.progress(scope, Objects.requireNonNull(operationId, "operationId"));
    }

    @Override
    public MessageChange retry(String orgId, long messageId, Operator operator, boolean dryRun) {
        return changes.retry(orgId, messageId, operator, dryRun);
    }

    @Override
    public BulkResult retryDeadLetters(Scope scope, DeadLetterFilter filter, BulkOptions options, Operator operator) {
        return changes.retryDeadLetters(scope, filter, options, operator);
    }

    @Override
    public ArchiveResult exportDeadLetters(Scope scope, ExportRequest request, Operator operator) {
        return archiver.export(scope, request, operator);
    }

    @Override
    public ArchiveResult archiveDeadLetters(Scope scope, ExportRequest request, Operator operator) {
        return archiver.archive(scope, request, operator);
    }

    @Override
    public BulkResult recoverStuckSending(Scope scope, Channel channel, BulkOptions options, Operator operator) {
        return changes.recoverStuckSending(scope, channel, options, operator);
    }

    @Override
    public MessageChange cancel(String orgId, long messageId, Operator operator, boolean dryRun) {
        return changes.cancel(orgId, messageId, operator, dryRun);
    }

    @Override
    public BulkResult fallbackToSms(Scope scope, DeadLetterFilter filter, io.whatsappoutbox.core.FallbackRules rules,
            BulkOptions options, Operator operator) {
        return fallback.run(scope, filter, rules, options, operator);
    }

    @Override
    public BulkResult cancelMessages(Scope scope, CancelFilter filter, BulkOptions options, Operator operator) {
        return changes.cancelMessages(scope, filter, options, operator);
    }

    @Override
    public QuotaChange setQuota(String orgId, long quotaLimit, Duration period, Operator operator, boolean dryRun) {
        return quotas.setQuota(orgId, quotaLimit, period, operator, dryRun);
    }

    @Override
    public QuotaChange resetQuota(String orgId, Operator operator, boolean dryRun) {
        return quotas.resetQuota(orgId, operator, dryRun);
    }

    @Override
    public RetentionResult runRetention(Scope scope, RetentionPolicy policy, Operator operator, boolean dryRun) {
        return retention.run(scope, policy, operator, dryRun, null);
    }

    @Override
    public RetentionResult runRetention(Scope scope, RetentionPolicy policy, Operator operator, boolean dryRun,
            Path archiveDirectory) {
        Violations v = new Violations();
        v.requireNonNull("archiveDirectory", archiveDirectory);
        v.throwIfAny("retention run");
        return retention.run(scope, policy, operator, dryRun, archiveDirectory);
    }

    @Override
    public Optional<SendingHours> sendingHours(String orgId) {
        return sendingHours.get(orgId);
    }

    @Override
    public SendingHoursChange setSendingHours(String orgId, SendingHours hours, Operator operator, boolean dryRun) {
        return sendingHours.set(orgId, hours, operator, dryRun);
    }

    @Override
    public SecretRotation rotateWebhookSecret(Scope scope, Secret appSecret, Duration overlap, Operator operator,
            boolean dryRun) {
        return configs.rotate(scope, appSecret, overlap, operator, dryRun);
    }
}

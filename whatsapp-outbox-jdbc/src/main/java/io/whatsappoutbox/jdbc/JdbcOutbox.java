package io.whatsappoutbox.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Attempt;
import io.whatsappoutbox.core.BusinessKey;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.micrometer.observation.ObservationRegistry;
import io.whatsappoutbox.core.internal.OutboxObservations;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.spi.TemplateSource;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.WebhookStore;
import io.whatsappoutbox.jdbc.internal.ContentCodec;
import io.whatsappoutbox.jdbc.internal.EnqueueWriter;
import io.whatsappoutbox.jdbc.internal.HostCancels;
import io.whatsappoutbox.jdbc.internal.HostJoin;
import io.whatsappoutbox.jdbc.internal.JdbcConsents;
import io.whatsappoutbox.jdbc.internal.JdbcDispatchStore;
import io.whatsappoutbox.jdbc.internal.JdbcTemplateRegistry;
import io.whatsappoutbox.jdbc.internal.JdbcWebhookStore;
import io.whatsappoutbox.jdbc.internal.Jdbis;
import io.whatsappoutbox.jdbc.internal.MessageRows;
import io.whatsappoutbox.jdbc.internal.MessagingLimits;
import io.whatsappoutbox.jdbc.internal.PostgresWakeUps;
import io.whatsappoutbox.jdbc.internal.RetentionSchedule;
import io.whatsappoutbox.jdbc.internal.SchemaNames;
import io.whatsappoutbox.jdbc.internal.SharedPacing;
import io.whatsappoutbox.jdbc.internal.TemplateSyncSchedule;
import io.whatsappoutbox.jdbc.internal.Times;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.RetentionPolicy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The outbox on PostgreSQL. A host builds one per database and keeps it for the life of the
 * application:
 *
 * <pre>{@code
 * JdbcOutbox outbox = JdbcOutbox.builder().dataSource(dataSource).encryptionKeys(keys).build();
 * outbox.migrate();                      // or add OutboxMigrator.LOCATION to Flyway
 * try (Connection c = dataSource.getConnection()) {
 *     c.setAutoCommit(false);
 *     // ... the host's own writes ...
 *     outbox.enqueue(c, request);        // in the same transaction: a rollback leaves no message
 *     c.commit();
 * }
 * }</pre>
 */
public final class JdbcOutbox implements AutoCloseable {
    private final DataSource dataSource;
    private final HikariDataSource ownPool;
    private final Jdbi jdbi;
    private final Clock clock;
    private final MessageRows rows;
    private final EnqueueWriter enqueue;
    private final JdbcDispatchStore dispatchStore;
    private final MessagingLimits messagingLimits;
    private final JdbcWebhookStore webhookStore;
    private final JdbcConsents consents;
    private final ProviderConfigs providerConfigs;
    private final TemplateRegistry templates;
    private final HostCancels cancels;
    private final HostJoin hostJoin;
    private final SchemaNames schema;
    private final ObservationRegistry observationRegistry;
    private final OutboxObservations observations;

    private JdbcOutbox(Builder b) {
        this.clock = b.clock;
        this.observationRegistry = b.observationRegistry;
        this.observations = OutboxObservations.of(b.observationRegistry);
        if (b.dataSource != null) {
            this.dataSource = b.dataSource;
            this.ownPool = null;
        } else {
            this.ownPool = OutboxSettings.ownPool(b);
            this.dataSource = ownPool;
        }
        this.schema = new SchemaNames(b.schema);
        this.jdbi = Jdbis.create(dataSource, schema);
        ContentCodec codec = new ContentCodec();
        this.rows = new MessageRows(codec);
        this.enqueue = new EnqueueWriter(codec, rows, clock, b.defaultMaxAttempts, b.templateCheck, schema);
        this.messagingLimits = new MessagingLimits(jdbi, b.defaultMessagingLimit);
        this.providerConfigs = new ProviderConfigs(jdbi, b.encryptionKeys, clock, b.configCacheFor);
        this.templates = new JdbcTemplateRegistry(jdbi, clock, providerConfigs);
        this.dispatchStore = new JdbcDispatchStore(jdbi, rows, enqueue, b.storeClock == StoreClock.CALLER,
                messagingLimits, b.templateSource == null ? null
                        : new TemplateSyncSchedule(jdbi, templates, b.templateSource, b.templateSyncEvery),
                b.retentionPolicy == null ? null
                        : new RetentionSchedule(jdbi, clock, b.retentionPolicy, b.retentionEvery, b.retentionArchive),
                b.sharedPacing ? new SharedPacing(jdbi) : null);
        this.webhookStore = new JdbcWebhookStore(jdbi, rows, enqueue, b.webhookDedupWindow);
        this.hostJoin = new HostJoin(jdbi, b.hostTransactions);
        this.consents = new JdbcConsents(jdbi, clock, hostJoin);
        this.cancels = new HostCancels(clock, schema);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Applies the schema if needed (safe from several instances at once). */
    public List<Integer> migrate() {
        return OutboxMigrator.migrate(dataSource, clock, "whatsapp-outbox", schema.schema());
    }

    /**
     * Enqueues on the host's connection, inside the host's transaction: the message exists if and
     * only if the host commits.
     */
    public EnqueueResult enqueue(Connection hostConnection, OutboundMessageRequest request) {
        return enqueueAll(hostConnection, List.of(Objects.requireNonNull(request, "request"))).get(0);
    }

    /**
     * Enqueues many messages on the host's connection in one round trip; all or none. With
     * {@link Builder#observationRegistry}, the call is one {@code whatsapp.outbox.enqueue}
     * observation and every message it writes carries that observation's trace context.
     */
    public List<EnqueueResult> enqueueAll(Connection hostConnection, List<OutboundMessageRequest> requests) {
        Objects.requireNonNull(hostConnection, "hostConnection");
        Objects.requireNonNull(requests, "requests");
        try {
            return observations.enqueue(requests, trace -> enqueue.enqueue(hostConnection, requests, trace));
        } catch (SQLException e) {
            throw new OutboxStoreException("enqueue failed: " + e.getMessage(), e);
        }
    }

    /** Enqueues on the host's Jdbi handle, inside its transaction. */
    public EnqueueResult enqueue(Handle hostHandle, OutboundMessageRequest request) {
        return enqueue(Objects.requireNonNull(hostHandle, "hostHandle").getConnection(), request);
    }

    public List<EnqueueResult> enqueueAll(Handle hostHandle, List<OutboundMessageRequest> requests) {
        return enqueueAll(Objects.requireNonNull(hostHandle, "hostHandle").getConnection(), requests);
    }

    /**
     * Enqueues in a transaction of its own, for a host with nothing else to write; with
     * {@link Builder#hostTransactions}, in the host's transaction in progress when there is one.
     *
     * @return the new message, or the existing one when the key was used with the same content
     * @throws io.whatsappoutbox.jdbc.IdempotencyConflictException the key was used with other content
     */
    public EnqueueResult enqueue(OutboundMessageRequest request) {
        return enqueueAll(List.of(Objects.requireNonNull(request, "request"))).get(0);
    }

    /**
     * Enqueues many messages in one transaction of its own (or the host's in progress, see
     * {@link Builder#hostTransactions}) and one round trip; all or none.
     */
    public List<EnqueueResult> enqueueAll(List<OutboundMessageRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        return hostJoin.inTransaction(h -> enqueueAll(h.getConnection(), requests));
    }

    /**
     * Cancels {@code orgId}'s messages of {@code key} that are not sent yet, on the host's connection
     * and inside its transaction (nothing is committed or closed): they are CANCELLED if and only if the
     * host commits, and a dispatcher never claims them after that. Only QUEUED messages move; one a
     * dispatcher holds (SENDING) is left alone and answered in {@link CancelResult#inFlight()}, as it
     * may still be sent. Audited as the operator's cancel ({@code CANCEL_MESSAGES}) by {@code actor}.
     *
     * @param actor who cancels and why (the audit row, the rows' {@code updated_by})
     */
    public CancelResult cancel(Connection hostConnection, String orgId, BusinessKey key, Operator actor) {
        Objects.requireNonNull(hostConnection, "hostConnection");
        checkCancel(orgId, key, actor);
        try {
            return cancels.cancel(hostConnection, orgId, key, actor);
        } catch (SQLException e) {
            throw new OutboxStoreException("cancel failed: " + e.getMessage(), e);
        }
    }

    /** {@link #cancel(Connection, String, BusinessKey, Operator)}, audited as {@code host}. */
    public CancelResult cancel(Connection hostConnection, String orgId, BusinessKey key) {
        return cancel(hostConnection, orgId, key, HostCancels.HOST);
    }

    /**
     * The cancel in a transaction of its own, for a host with nothing else to write (or the host's in
     * progress, see {@link Builder#hostTransactions}).
     */
    public CancelResult cancel(String orgId, BusinessKey key, Operator actor) {
        checkCancel(orgId, key, actor);
        return hostJoin.inTransaction(h -> cancel(h.getConnection(), orgId, key, actor));
    }

    /** {@link #cancel(String, BusinessKey, Operator)}, audited as {@code host}. */
    public CancelResult cancel(String orgId, BusinessKey key) {
        return cancel(orgId, key, HostCancels.HOST);
    }

    private static void checkCancel(String orgId, BusinessKey key, Operator actor) {
        Violations v = new Violations();
        v.orgId("orgId", orgId);
        v.requireNonNull("key", key);
        v.requireNonNull("actor", actor);
        v.throwIfAny("cancel");
    }

    /** A message of {@code orgId}; another org's message is not found. */
    public Optional<OutboundMessage> find(String orgId, long messageId) {
        checkOrg(orgId);
        return jdbi.withHandle(h -> h.createQuery("SELECT " + MessageRows.COLUMNS
                        + " FROM outbound_message WHERE id = :id AND org_id = :org")
                .bind("id", messageId).bind("org", orgId)
                .map((rs, ctx) -> rows.map(rs)).findFirst());
    }

    /** The message created on another channel in place of {@code parentId}, if any. */
    public Optional<OutboundMessage> findFallback(String orgId, long parentId) {
        checkOrg(orgId);
        return jdbi.withHandle(h -> h.createQuery("SELECT " + MessageRows.COLUMNS
                        + " FROM outbound_message WHERE fallback_of = :parent AND org_id = :org ORDER BY id LIMIT 1")
                .bind("parent", parentId).bind("org", orgId)
                .map((rs, ctx) -> rows.map(rs)).findFirst());
    }

    /** The message enqueued under {@code idempotencyKey}, if any. */
    public Optional<OutboundMessage> findByIdempotencyKey(String orgId, String idempotencyKey) {
        checkOrg(orgId);
        return jdbi.withHandle(h -> h.createQuery("SELECT " + MessageRows.COLUMNS
                        + " FROM outbound_message WHERE org_id = :org AND idempotency_key = :key")
                .bind("org", orgId).bind("key", idempotencyKey)
                .map((rs, ctx) -> rows.map(rs)).findFirst());
    }

    /** The attempts of a message, oldest first. */
    public List<Attempt> attempts(String orgId, long messageId) {
        checkOrg(orgId);
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT a.* FROM outbound_attempt a
                          JOIN outbound_message m ON m.id = a.message_id
                         WHERE a.message_id = :id AND m.org_id = :org
                         ORDER BY a.id""")
                .bind("id", messageId).bind("org", orgId)
                .map((rs, ctx) -> {
                    String code = rs.getString("error_code");
                    String category = rs.getString("error_category");
                    ErrorInfo error = code == null ? null : new ErrorInfo(code, rs.getString("error_message"),
                            MessageRows.category(category));
                    return new Attempt(rs.getLong("id"), rs.getLong("message_id"), rs.getInt("attempt_number"),
                            rs.getString("provider"), Attempt.Outcome.valueOf(rs.getString("outcome")), error,
                            rs.getInt("http_status"), rs.getString("provider_message_id"),
                            Times.instant(rs, "started_at"), Duration.ofMillis(rs.getInt("duration_ms")),
                            Times.instant(rs, "next_attempt_at"));
                })
                .list());
    }

    private static void checkOrg(String orgId) {
        Violations v = new Violations();
        v.orgId("orgId", orgId);
        v.throwIfAny("lookup");
    }

    /**
     * A dispatcher builder wired to this outbox: its dispatch store, its webhook store (so that
     * {@code dispatcher.webhooks()} applies receipts) and LISTEN/NOTIFY wake-ups. Add the providers
     * and build.
     */
    public Dispatcher.Builder dispatcher() {
        return Dispatcher.builder(dispatchStore)
                .webhookStore(webhookStore)
                .wakeUps(new PostgresWakeUps(dataSource))
                .observationRegistry(observationRegistry)
                .clock(clock);
    }

    /** What the dispatcher reads and writes. */
    public DispatchStore dispatchStore() {
        return dispatchStore;
    }

    /** Where verified webhook batches are applied. */
    public WebhookStore webhookStore() {
        return webhookStore;
    }

    public Consents consents() {
        return consents;
    }

    public ProviderConfigs providerConfigs() {
        return providerConfigs;
    }

    /** Each org's templates as Meta approved them, which the enqueue checks template messages against. */
    public TemplateRegistry templates() {
        return templates;
    }

    /**
     * The operations runbook as one safe API (queue status, failures, dead letter, retries, archive,
     * quotas, provider configs, database health, audit), on this outbox's database and clock.
     */
    public io.whatsappoutbox.jdbc.ops.OutboxOperations operations() {
        return new io.whatsappoutbox.jdbc.internal.JdbcOperations(jdbi, clock, providerConfigs, enqueue, rows,
                messagingLimits);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public Clock clock() {
        return clock;
    }

    /** Closes the connection pool if this outbox created it; a host's DataSource is left alone. */
    @Override
    public void close() {
        if (ownPool != null) {
            ownPool.close();
        }
    }

    /** A database failure, with the driver's cause. */
    public static final class OutboxStoreException extends RuntimeException {
        public OutboxStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Meta redelivers a webhook for up to 7 days: keys older than that deduplicate nothing. */
    public static final Duration DEFAULT_WEBHOOK_DEDUP_WINDOW = Duration.ofDays(7);

    /** Settings; {@code dataSource} or {@code jdbcUrl} is required. */
    public static final class Builder {
        DataSource dataSource;
        String jdbcUrl;
        String username;
        String password;
        int maximumPoolSize = 10;
        EncryptionKeys encryptionKeys;
        Clock clock = Clock.systemUTC();
        StoreClock storeClock = StoreClock.DATABASE;
        int defaultMaxAttempts = 5;
        Duration configCacheFor = Duration.ofSeconds(30);
        Duration webhookDedupWindow = DEFAULT_WEBHOOK_DEDUP_WINDOW;
        TemplateCheck templateCheck = TemplateCheck.STRICT;
        Integer defaultMessagingLimit;
        TemplateSource templateSource;
        Duration templateSyncEvery;
        HostTransactions hostTransactions;
        String schema = SchemaNames.DEFAULT_SCHEMA;
        RetentionPolicy retentionPolicy;
        Duration retentionEvery;
        Path retentionArchive;
        boolean sharedPacing;
        ObservationRegistry observationRegistry;

        private Builder() {}

        /** The host's DataSource (its pool); the outbox never closes it. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            return this;
        }

        /** Or let the outbox open its own HikariCP pool. */
        public Builder jdbcUrl(String jdbcUrl, String username, String password) {
            this.jdbcUrl = jdbcUrl;
            this.username = username;
            this.password = password;
            return this;
        }

        public Builder maximumPoolSize(int maximumPoolSize) {
            this.maximumPoolSize = maximumPoolSize;
            return this;
        }

        /** Seals provider tokens and webhook secrets at rest; required to save or read them. */
        public Builder encryptionKeys(EncryptionKeys encryptionKeys) {
            this.encryptionKeys = encryptionKeys;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Where lease times come from: the database's clock by default, so that a skewed instance
         * cannot shorten another's lease; {@link StoreClock#CALLER} for tests that move a clock by hand.
         */
        public Builder storeClock(StoreClock storeClock) {
            this.storeClock = storeClock;
            return this;
        }

        /** Attempts a message gets when its request does not say (the runbook's 5). */
        public Builder defaultMaxAttempts(int defaultMaxAttempts) {
            this.defaultMaxAttempts = defaultMaxAttempts;
            return this;
        }

        /** How long provider configs are cached; other instances see a change within this time. */
        public Builder configCacheFor(Duration configCacheFor) {
            this.configCacheFor = configCacheFor;
            return this;
        }

        /**
         * How long a webhook's deduplication key (and a receipt waiting for its message) is kept:
         * a redelivery within it is a duplicate. Meta redelivers for up to 7 days, the default;
         * at least a day, at most a year. The dispatcher's maintenance forgets older ones.
         */
        public Builder webhookDedupWindow(Duration webhookDedupWindow) {
            this.webhookDedupWindow = webhookDedupWindow;
            return this;
        }

        /**
         * What the enqueue does with a template message its org's synced registry says Meta would
         * refuse: {@link TemplateCheck#STRICT} (refuse) by default.
         */
        public Builder templateCheck(TemplateCheck templateCheck) {
            this.templateCheck = templateCheck;
            return this;
        }

        /**
         * The messaging limit (unique recipients of templates outside a session window per rolling
         * 24 hours) of a business account Meta has not reported a tier for: 250 for a new
         * portfolio. Unset (the default), such an account is not limited; a tier Meta reports
         * ({@code phone_number_quality_update}) always wins.
         */
        public Builder defaultMessagingLimit(int defaultMessagingLimit) {
            this.defaultMessagingLimit = defaultMessagingLimit;
            return this;
        }

        /**
         * Syncs the template registry from {@code source} in the dispatcher's maintenance: each
         * enabled WhatsApp org once its last sync is older than {@code every} (one org per
         * maintenance pass, never synced first; a failed org is tried again after {@code every}).
         * Off by default: {@link JdbcOutbox#templates()}{@code .sync} or the CLI's {@code templates sync} only.
         */
        public Builder templateSync(TemplateSource source, Duration every) {
            this.templateSource = Objects.requireNonNull(source, "source");
            this.templateSyncEvery = every;
            return this;
        }

        /**
         * The PostgreSQL schema of the outbox's tables, {@value SchemaNames#DEFAULT_SCHEMA} by default:
         * apart from the host's own tables (a host's {@code message} table is not the outbox's), whatever
         * the connections' {@code search_path}. {@link #migrate()} creates it; an install from before
         * schemas, with its tables in {@code public}, is moved into it by {@code migrate()} with every row
         * (stop the instances of older versions first). {@code "public"} keeps such an install where it is.
         */
        public Builder schema(String schema) {
            this.schema = schema;
            return this;
        }

        /**
         * Makes the writes called without a connection ({@code enqueue(request)}, {@code enqueueAll},
         * {@code cancel(orgId, key)}, consent grants and revocations) join the host's transaction in
         * progress, so that they commit or roll back with the host's rows; without one they commit on
         * their own, as without this setting. The Spring Boot starter sets it on Spring's transactions.
         */
        public Builder hostTransactions(HostTransactions hostTransactions) {
            this.hostTransactions = Objects.requireNonNull(hostTransactions, "hostTransactions");
            return this;
        }

        /**
         * Applies {@code policy} from the dispatchers' maintenance, once per {@code every} across all
         * instances on this database (one elected per run), a few batches per maintenance pass until
         * done, each run audited as {@code RUN_RETENTION} by {@code whatsapp-outbox-retention}. Off by
         * default: {@link OutboxOperations#runRetention} or the CLI's {@code retention run} only.
         */
        public Builder retention(RetentionPolicy policy, Duration every) {
            this.retentionPolicy = Objects.requireNonNull(policy, "policy");
            this.retentionEvery = every;
            this.retentionArchive = null;
            return this;
        }

        /**
         * As {@link #retention(RetentionPolicy, Duration)}, each batch archived first to a checked
         * JSON Lines file in {@code archiveDirectory} (see {@link OutboxOperations#runRetention(
         * io.whatsappoutbox.jdbc.ops.Scope, RetentionPolicy, io.whatsappoutbox.jdbc.ops.Operator, boolean, Path)}).
         */
        public Builder retention(RetentionPolicy policy, Duration every, Path archiveDirectory) {
            retention(policy, every);
            this.retentionArchive = Objects.requireNonNull(archiveDirectory, "archiveDirectory");
            return this;
        }

        /**
         * Paces each sending number across every dispatcher on this database: its messages take
         * send positions reserved in the database (one statement per claimed batch), so that several
         * instances together keep the number's messages per second. Off by default: each dispatcher
         * then paces on its own, and N instances may send N times a number's rate. The instances'
         * clocks must agree within a few milliseconds (NTP).
         */
        public Builder sharedPacing(boolean sharedPacing) {
            this.sharedPacing = sharedPacing;
            return this;
        }

        /**
         * Observes each enqueue call as {@code whatsapp.outbox.enqueue} and stores its trace context
         * (the tracer's propagation fields) on the messages written, so that their sends, observed by
         * a dispatcher from {@link JdbcOutbox#dispatcher()} (which takes this registry), join the
         * trace of the request that enqueued them. Unset or {@link ObservationRegistry#NOOP} (the
         * default): nothing is observed and the column stays NULL.
         */
        public Builder observationRegistry(ObservationRegistry observationRegistry) {
            this.observationRegistry = observationRegistry;
            return this;
        }

        /** @throws io.whatsappoutbox.core.InvalidInputException naming every setting that breaks a rule */
        public JdbcOutbox build() {
            OutboxSettings.check(this);
            return new JdbcOutbox(this);
        }
    }
}

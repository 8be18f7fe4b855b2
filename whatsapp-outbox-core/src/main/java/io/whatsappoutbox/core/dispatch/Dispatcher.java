package io.whatsappoutbox.core.dispatch;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPolicy;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.SendRules;
import io.whatsappoutbox.core.internal.DeliveryDecisions;
import io.whatsappoutbox.core.internal.FailureDecider;
import io.whatsappoutbox.core.internal.OutboxMetrics;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.spi.ClaimShare;
import io.whatsappoutbox.core.spi.ClaimedMessage;
import io.whatsappoutbox.core.spi.CompletionReport;
import io.whatsappoutbox.core.spi.DispatchStore;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.WakeUpSource;
import io.whatsappoutbox.core.spi.WebhookStore;
import io.whatsappoutbox.core.webhook.WebhookProcessor;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine a host runs: it claims due messages, checks consent, session window and quota, calls
 * the provider with no transaction open, decides what an error means, and writes the results.
 * Several dispatchers, in one process or many, share one database safely.
 *
 * <pre>{@code
 * Dispatcher dispatcher = Dispatcher.builder(store)
 *         .provider(Channel.WHATSAPP, metaProvider)
 *         .provider(Channel.SMS, smsProvider)
 *         .meterRegistry(registry)
 *         .build();
 * dispatcher.start();
 * ...
 * dispatcher.close();   // stops claiming, lets sends in flight finish and records them
 * }</pre>
 */
public final class Dispatcher implements AutoCloseable {
    /** Longest a claim thread waits in line for in-flight room before it looks at its state again. */
    private static final long PERMIT_WAIT_MILLIS = 1_000;
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final DispatchStore store;
    private final Settings settings;
    private final Clock clock;
    private final OutboxMetrics metrics;
    private final BatchSender sender;
    private final ResultWriter writer;
    private final WebhookProcessor webhooks;
    private final FallbackRules fallbackRules;
    private final WakeUpSource wakeUps;
    private final ExecutorService ownExecutor;
    private final Semaphore inFlight;
    private final LeaseBudget budget;
    /** Claim threads size their claim to the lease budget one at a time, so that together they stay within it. */
    private final Object budgetRoom = new Object();
    private volatile Instant lastClaimAt;
    private volatile Instant lastWriteAt;
    private final WakeSignal wakeSignal = new WakeSignal();
    private final AtomicLong claimSequence = new AtomicLong();
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final List<Thread> claimThreads = new ArrayList<>();
    private final List<Thread> writerThreads = new ArrayList<>();
    private AutoCloseable wakeSubscription;
    private final ReentrantLock maintenance = new ReentrantLock();
    /** Read by every claim thread without the lock (a cheap "not yet"); written under it. */
    private volatile Instant nextMaintenance = Instant.MIN;
    private Instant nextSnapshot = Instant.MIN;
    private Instant sweepCursorSentAt;
    private long sweepCursorId;

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int CLOSED = 2;

    private Dispatcher(Builder b) {
        this.store = b.store;
        this.settings = new Settings(b);
        this.clock = b.clock;
        this.metrics = new OutboxMetrics(b.meterRegistry);
        this.fallbackRules = b.fallbackRules;
        FailureDecider decider = new FailureDecider(b.retryPolicy, b.fallbackRules, b.haltOrgFor);
        CircuitBreakerSettings cb = b.circuitBreaker;
        CircuitBreakerConfig breaker = CircuitBreakerConfig.custom()
                .failureRateThreshold(cb.failureRatePercent())
                .slidingWindow(cb.slidingWindowCalls(), cb.minimumCalls(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(cb.openFor())
                .permittedNumberOfCallsInHalfOpenState(cb.halfOpenProbes())
                .clock(b.clock)
                .build();
        Map<Channel, ProviderChain> chains = new EnumMap<>(Channel.class);
        b.providers.forEach((channel, list) -> chains.put(channel,
                new ProviderChain(channel, list, b.catalogues.get(channel), breaker, metrics)));
        Duration callTimeout = Duration.ZERO;
        for (ProviderChain chain : chains.values()) {
            callTimeout = chain.callTimeout().compareTo(callTimeout) > 0 ? chain.callTimeout() : callTimeout;
        }
        this.budget = new LeaseBudget(b.concurrency, b.maxInFlight, b.lease, callTimeout);
        this.ownExecutor = b.executor == null
                ? Executors.newFixedThreadPool(b.concurrency, daemonThreads("whatsapp-outbox-send")) : null;
        this.sender = new BatchSender(store, new SendRules(b.consentPolicy), decider, chains,
                new Pacer(b.messagesPerSecond, b.senderRates, b.pacingWait),
                b.executor == null ? ownExecutor : b.executor, b.concurrency, metrics, clock, b.stuckAfter, b.smsRate,
                budget);
        // fair: the claim threads take permits in turn, so that no share of the lanes waits while
        // another share's thread wins every race for the permits a written batch gives back
        this.inFlight = new Semaphore(b.maxInFlight, true);
        // group commit: the writer takes every result waiting, up to all that can be in flight
        // the receipts that beat their send's result are decided as the webhook processor decides
        // receipts, webhook store or not: the store applies them in the completion's transaction
        Map<Channel, ErrorCatalogue> catalogues = new EnumMap<>(Channel.class);
        catalogues.put(Channel.WHATSAPP, ErrorCatalogue.meta());
        catalogues.put(Channel.SMS, ErrorCatalogue.twilio());
        Map<String, ErrorCatalogue> providerCatalogues = new HashMap<>();
        chains.forEach((channel, chain) -> {
            catalogues.put(channel, chain.primaryCatalogue());
            chain.cataloguesByProvider().forEach((provider, catalogue) ->
                    providerCatalogues.put(DeliveryDecisions.providerKey(channel, provider), catalogue));
        });
        DeliveryDecisions decisions = new DeliveryDecisions(decider, catalogues, providerCatalogues, Set.of());
        this.writer = new ResultWriter(store, decisions, clock, b.maxInFlight, this::afterWrite,
                n -> inFlight.release(n));
        this.wakeUps = b.wakeUps;
        WebhookProcessor.Builder wb = b.webhookStore == null ? null : WebhookProcessor.builder(b.webhookStore)
                .retryPolicy(b.retryPolicy).fallbackRules(b.fallbackRules).haltOrgFor(b.haltOrgFor).clock(clock);
        if (wb != null) {
            catalogues.forEach(wb::errorCatalogue);
            chains.forEach((channel, chain) -> chain.cataloguesByProvider()
                    .forEach((provider, catalogue) -> wb.errorCatalogue(channel, provider, catalogue)));
            if (b.optOutKeywords != null) {
                wb.optOutKeywords(b.optOutKeywords);
            }
        }
        this.webhooks = wb == null ? null : wb.build(metrics);
    }

    public static Builder builder(DispatchStore store) {
        return new Builder(store);
    }

    /**
     * Where the Meta and SMS webhook handlers hand their verified batches: it applies them with the
     * same retry policy, catalogues and fallback rules as the dispatcher.
     *
     * @throws IllegalStateException when the dispatcher was built without a webhook store
     */
    public WebhookProcessor webhooks() {
        if (webhooks == null) {
            throw new IllegalStateException("build the dispatcher with webhookStore(...) to process webhooks");
        }
        return webhooks;
    }

    /** Starts claiming in the background. */
    public synchronized void start() {
        if (!state.compareAndSet(NEW, RUNNING)) {
            throw new IllegalStateException("a dispatcher starts once");
        }
        ThreadFactory writers = daemonThreads("whatsapp-outbox-writer");
        for (int i = 0; i < settings.storeThreads; i++) {
            Thread t = writers.newThread(writer);
            writerThreads.add(t);
            t.start();
        }
        if (wakeUps != null) {
            try {
                wakeSubscription = wakeUps.subscribe(wakeSignal::fire);
            } catch (RuntimeException e) {
                log.warn("No wake-up notifications, polling every {} ms: {}", settings.pollInterval.toMillis(),
                        SafeText.describe(e));
            }
        }
        ThreadFactory claimers = daemonThreads("whatsapp-outbox-claim");
        for (int i = 0; i < settings.storeThreads; i++) {
            ClaimShare share = new ClaimShare(i, settings.storeThreads);
            Thread t = claimers.newThread(() -> claimLoop(share));
            claimThreads.add(t);
            t.start();
        }
        log.info("Dispatcher {} started: batch {}, {} claim and {} writer thread(s), concurrency {}, max in flight {},"
                + " lease {} s, poll {} ms", settings.instanceId, settings.batchSize, settings.storeThreads,
                settings.storeThreads, settings.concurrency,
                settings.maxInFlight, settings.lease.toSeconds(), settings.pollInterval.toMillis());
    }

    /**
     * Claims and processes one batch and waits for its results to be written: for hosts that drive
     * the dispatcher from their own scheduler instead of {@link #start()}, and for tests. Without
     * {@code start()} the calling thread writes the results itself; only the provider calls run on
     * the send executor.
     *
     * @return how many messages were claimed
     * @throws IllegalStateException once the dispatcher is closed
     */
    public synchronized int dispatchOnce() {
        int current = state.get();
        if (current == CLOSED) {
            throw new IllegalStateException("the dispatcher is closed");
        }
        int claimed;
        try {
            claimed = claimAndProcess(ClaimShare.ALL, current == NEW);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        if (current == NEW) {
            writer.writeUntil(() -> inFlight.availablePermits() == settings.maxInFlight);
        } else {
            awaitWritten(Duration.ofMinutes(5));
        }
        return claimed;
    }

    /** Lease recovery, gauges, the no-delivery fallback sweep and the webhook dedup pruning, now. */
    public void runMaintenance() {
        maintenance.lock();
        try {
            maintain(true);
        } finally {
            maintenance.unlock();
        }
    }

    /**
     * The gauges count the queue, which takes longer as the backlog grows (about a second for a
     * million queued messages): in the background they are refreshed at most every maintenance
     * interval and no more often than 50 times the last count took, so that counting never costs
     * more than 2 % of the database's time, whatever the backlog.
     */
    private void maintain(boolean snapshotNow) {
        Instant now = clock.instant();
        int recovered = store.recoverExpiredLeases(now, 1000);
        metrics.leasesRecovered(recovered);
        if (snapshotNow || !now.isBefore(nextSnapshot)) {
            long started = System.nanoTime();
            metrics.snapshot(store.snapshot(now, settings.stuckAfter));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            nextSnapshot = clock.instant().plus(took.multipliedBy(50));
        }
        fallbackRules.shortestNotDeliveredDelay().ifPresent(delay -> sweepUndelivered(now, delay));
        if (webhooks != null) {
            webhooks.pruneExpired();
        }
    }

    /**
     * Walks accepted messages still without delivery receipt, a page per maintenance run, with a
     * cursor so that messages no rule selects are passed over rather than read again and again.
     * Messages accepted more than a day before the delay are left alone: a reminder that late is
     * better not sent at all.
     */
    private void sweepUndelivered(Instant now, Duration delay) {
        Instant before = now.minus(delay);
        List<io.whatsappoutbox.core.OutboundMessage> page = store.undelivered(before.minus(Duration.ofDays(1)), before,
                sweepCursorSentAt, sweepCursorId, 500);
        if (page.size() < 500) {
            sweepCursorSentAt = null;
            sweepCursorId = 0;
        } else {
            io.whatsappoutbox.core.OutboundMessage last = page.get(page.size() - 1);
            sweepCursorSentAt = last.sentAt();
            sweepCursorId = last.id();
        }
        List<OutboundMessageRequest> fallbacks = new ArrayList<>();
        page.forEach(m -> fallbackRules.onNotDelivered(m, now).ifPresent(fallbacks::add));
        if (!fallbacks.isEmpty()) {
            List<Long> created = store.createFallbacks(fallbacks);
            metrics.fallbackCreated(created.size());
            if (!created.isEmpty()) {
                log.info("Created {} SMS fallback(s) for WhatsApp messages not delivered within {}", created.size(), delay);
            }
        }
    }

    private void claimLoop(ClaimShare share) {
        Duration backoff = settings.pollInterval;
        boolean failing = false;
        while (state.get() == RUNNING) {
            try {
                maintainIfDue();
                long signals = wakeSignal.count();
                int claimed = claimAndProcess(share);
                if (failing) {
                    log.info("Dispatcher {} reaches the database again", settings.instanceId);
                    failing = false;
                    backoff = settings.pollInterval;
                }
                if (claimed == 0) {
                    // idle, or no room for a batch within the poll interval: wait for a wake-up, a
                    // written result or the poll interval (the next claim waits in line for room)
                    wakeSignal.awaitAfter(signals, settings.pollInterval);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!failing) {
                    log.error("Dispatcher {} cannot claim, backing off: {}", settings.instanceId, SafeText.describe(e));
                    failing = true;
                }
                sleepQuietly(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30)
                        : backoff.multipliedBy(2);
            }
        }
    }

    /** One claim thread at a time runs the periodic maintenance; the others go on claiming. */
    private void maintainIfDue() {
        if (clock.instant().isBefore(nextMaintenance) || !maintenance.tryLock()) {
            return;
        }
        try {
            if (!clock.instant().isBefore(nextMaintenance)) {
                maintain(false);
                nextMaintenance = clock.instant().plus(settings.maintenanceInterval);
            }
        } finally {
            maintenance.unlock();
        }
    }

    /**
     * Claims a batch with the in-flight permits it holds, so that several claim threads never
     * claim more between them than may be in flight. It waits for room for a whole batch: a claim
     * costs about the same for 20 messages as for 200. A claim thread takes its share of the lanes
     * (every due lane when its share has none due).
     */
    private int claimAndProcess(ClaimShare share) throws InterruptedException {
        return claimAndProcess(share, false);
    }

    /** @param unstarted claimed by {@link #dispatchOnce()} before (or without) {@link #start()} */
    private int claimAndProcess(ClaimShare share, boolean unstarted) throws InterruptedException {
        int capacity = settings.batchSize;
        // waits in line (the timed tryAcquire honours the semaphore's fairness; the untimed one
        // barges), at most a second: close() cannot wake a thread waiting here, only its timeout can
        long wait = Math.min(settings.pollInterval.toMillis(), PERMIT_WAIT_MILLIS);
        int limit = budget.limit();
        if (limit >= settings.maxInFlight) {
            if (!inFlight.tryAcquire(capacity, wait, TimeUnit.MILLISECONDS)) {
                return 0;
            }
        } else {
            // the provider is slow: claim no more than the send slots can send within a lease, in
            // claims of at least half the budget (or a batch) so that a claim is not made per message
            synchronized (budgetRoom) {
                int room = limit - (settings.maxInFlight - inFlight.availablePermits());
                capacity = Math.min(settings.batchSize, room);
                if (capacity < Math.min(settings.batchSize, Math.max(1, limit / 2)) || !inFlight.tryAcquire(capacity)) {
                    return 0;
                }
            }
        }
        if (state.get() != (unstarted ? NEW : RUNNING)) {
            // closing while this thread waited for room: claim nothing more
            inFlight.release(capacity);
            return 0;
        }
        String owner = settings.instanceId + ":" + claimSequence.incrementAndGet();
        // the lease the store grants starts no earlier than this: a call started before
        // claimedAt + lease - call timeout ends before the lease does
        Instant claimedAt = clock.instant();
        List<ClaimedMessage> claimed;
        try {
            claimed = store.claim(owner, capacity, settings.lease, claimedAt, share);
        } catch (RuntimeException e) {
            inFlight.release(capacity);
            throw e;
        }
        lastClaimAt = clock.instant();
        inFlight.release(capacity - claimed.size());
        if (claimed.isEmpty()) {
            return 0;
        }
        try {
            sender.process(claimed, claimedAt, writer::submit);
        } catch (RuntimeException e) {
            // the quota could not be reserved: nothing was sent; the leases expire and return the batch
            inFlight.release(claimed.size());
            throw e;
        }
        return claimed.size();
    }

    /**
     * What the dispatcher is doing, for a host's health check: a dispatcher that runs but has not
     * claimed for long, or whose permits stay taken, is stuck.
     */
    public DispatcherHealth health() {
        return new DispatcherHealth(state.get() == RUNNING && claimThreads.stream().anyMatch(Thread::isAlive),
                lastClaimAt, lastWriteAt, inFlight.availablePermits(), settings.maxInFlight, budget.limit(),
                budget.meanCallLatency(), writer.backlog());
    }

    private void afterWrite(CompletionReport report) {
        lastWriteAt = clock.instant();
        metrics.fallbackCreated(report.fallbacksCreated().size());
        // the receipts that beat their send were applied in the completion's own transaction
        report.deliveries().forEach(d -> metrics.delivered(d.channel(), Duration.between(d.createdAt(), d.deliveredAt())));
        wakeSignal.fire();
    }

    private boolean awaitWritten(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.availablePermits() < settings.maxInFlight) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleepQuietly(Duration.ofMillis(5));
        }
        return true;
    }

    /**
     * Stops claiming, lets the sends in flight finish and records their results, within the close
     * timeout. After a clean close nothing this dispatcher claimed is left SENDING.
     */
    @Override
    public void close() {
        if (!state.compareAndSet(RUNNING, CLOSED)) {
            state.set(CLOSED);
            shutdownExecutor();
            return;
        }
        wakeSignal.fire();
        long deadline = System.nanoTime() + settings.closeTimeout.toNanos();
        for (Thread t : claimThreads) {
            joinQuietly(t, Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
        }
        boolean clean = awaitWritten(settings.closeTimeout);
        if (!clean) {
            log.warn("Dispatcher {} closed with {} message(s) still in flight: their leases will expire and they will"
                    + " be sent again", settings.instanceId, settings.maxInFlight - inFlight.availablePermits());
            writer.abandon();
        }
        writer.stop();
        for (Thread t : writerThreads) {
            joinQuietly(t, Duration.ofSeconds(5));
        }
        shutdownExecutor();
        if (wakeSubscription != null) {
            try {
                wakeSubscription.close();
            } catch (Exception e) {
                log.debug("closing wake-ups: {}", SafeText.describe(e));
            }
        }
        log.info("Dispatcher {} closed", settings.instanceId);
    }

    private void shutdownExecutor() {
        if (ownExecutor != null) {
            ownExecutor.shutdown();
            try {
                if (!ownExecutor.awaitTermination(settings.closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    ownExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                ownExecutor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    public String instanceId() {
        return settings.instanceId;
    }

    private static void joinQuietly(Thread t, Duration timeout) {
        if (t == null) {
            return;
        }
        try {
            t.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Wakes every waiting claim thread (an enqueue, a written batch, the close). A signal that
     * comes while a thread is claiming is not lost: the thread waits only if nothing came since
     * it last looked.
     */
    private static final class WakeSignal {
        private long count;

        synchronized long count() {
            return count;
        }

        synchronized void fire() {
            count++;
            notifyAll();
        }

        synchronized void awaitAfter(long seen, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count == seen) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                wait(left);
            }
        }
    }

    /** The settings the loop reads, fixed at build time. */
    private static final class Settings {
        final String instanceId;
        final int batchSize;
        final int storeThreads;
        final int concurrency;
        final int maxInFlight;
        final Duration lease;
        final Duration pollInterval;
        final Duration maintenanceInterval;
        final Duration stuckAfter;
        final Duration closeTimeout;

        Settings(Builder b) {
            instanceId = b.instanceId;
            batchSize = b.batchSize;
            storeThreads = b.storeThreads;
            concurrency = b.concurrency;
            maxInFlight = b.maxInFlight;
            lease = b.lease;
            pollInterval = b.pollInterval;
            maintenanceInterval = b.maintenanceInterval;
            stuckAfter = b.stuckAfter;
            closeTimeout = b.closeTimeout;
        }
    }

    /** How a host configures a dispatcher; every option has a default but the providers. */
    public static final class Builder {
        private final DispatchStore store;
        private final Map<Channel, List<MessageProvider>> providers = new EnumMap<>(Channel.class);
        private final Map<Channel, ErrorCatalogue> catalogues = new EnumMap<>(Channel.class);
        private final Map<String, Integer> senderRates = new HashMap<>();
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private ConsentPolicy consentPolicy = ConsentPolicy.requireGrant();
        private FallbackRules fallbackRules = FallbackRules.none();
        private WebhookStore webhookStore;
        private List<String> optOutKeywords;
        private Clock clock = Clock.systemUTC();
        private MeterRegistry meterRegistry;
        private ExecutorService executor;
        private WakeUpSource wakeUps;
        private CircuitBreakerSettings circuitBreaker = CircuitBreakerSettings.defaults();
        private String instanceId = defaultInstanceId();
        private int batchSize = 100;
        private int storeThreads = 2;
        private int concurrency = 16;
        private int maxInFlight = 0;
        private Duration lease = Duration.ofMinutes(2);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration maintenanceInterval = Duration.ofSeconds(10);
        private Duration stuckAfter = Duration.ofMinutes(5);
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Duration haltOrgFor = Duration.ofMinutes(10);
        private Duration pacingWait = Duration.ofSeconds(5);
        private int messagesPerSecond = 80;
        private int smsRate = 30;

        private Builder(DispatchStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * The providers of a channel, in order of preference: the next one takes over while the
         * one before has its circuit open.
         */
        public Builder provider(Channel channel, MessageProvider... inOrder) {
            providers.put(Objects.requireNonNull(channel, "channel"), List.of(inOrder));
            return this;
        }

        /** Overrides how a channel's codes are classified (each provider brings its own by default). */
        public Builder errorCatalogue(Channel channel, ErrorCatalogue catalogue) {
            catalogues.put(Objects.requireNonNull(channel, "channel"), Objects.requireNonNull(catalogue, "catalogue"));
            return this;
        }

        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = retryPolicy;
            return this;
        }

        public Builder consentPolicy(ConsentPolicy consentPolicy) {
            this.consentPolicy = consentPolicy;
            return this;
        }

        public Builder fallbackRules(FallbackRules fallbackRules) {
            this.fallbackRules = fallbackRules;
            return this;
        }

        /** Enables {@link Dispatcher#webhooks()} and the receipts that beat their send's result. */
        public Builder webhookStore(WebhookStore webhookStore) {
            this.webhookStore = webhookStore;
            return this;
        }

        public Builder optOutKeywords(List<String> keywords) {
            this.optOutKeywords = List.copyOf(keywords);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /** Runs the provider calls (the host may pass virtual threads); a fixed pool by default. */
        public Builder executor(ExecutorService executor) {
            this.executor = executor;
            return this;
        }

        /** Wakes the dispatcher when messages are enqueued (LISTEN/NOTIFY on PostgreSQL). */
        public Builder wakeUps(WakeUpSource wakeUps) {
            this.wakeUps = wakeUps;
            return this;
        }

        /** Each provider's circuit breaker ({@link CircuitBreakerSettings#defaults()} unless set). */
        public Builder circuitBreaker(CircuitBreakerSettings circuitBreaker) {
            this.circuitBreaker = circuitBreaker;
            return this;
        }

        /** Names this instance in leases and logs; host name, process id and a random suffix by default. */
        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Threads that work with the store: this many claim in parallel and as many write results
         * in parallel, each on a connection of its own. While one claim statement runs, another
         * batch is checked and handed to the provider calls, and results are written meanwhile.
         * Two by default: with one, a single claim or a single result write at a time bounds the
         * dispatcher's throughput long before the database does.
         */
        public Builder storeThreads(int storeThreads) {
            this.storeThreads = storeThreads;
            return this;
        }

        /** Provider calls in parallel. */
        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /**
         * Messages claimed but not yet written, at most; by default a batch per claim thread and
         * two more (one being written, one waiting for the writer), so that claims go on while
         * results are written.
         */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        /** How long a claim holds a message; an expired lease returns it to the queue. */
        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
            return this;
        }

        /** How often leases are recovered and the gauges refreshed. */
        public Builder maintenanceInterval(Duration maintenanceInterval) {
            this.maintenanceInterval = maintenanceInterval;
            return this;
        }

        /** A QUEUED message due for longer than this is stuck. */
        public Builder stuckAfter(Duration stuckAfter) {
            this.stuckAfter = stuckAfter;
            return this;
        }

        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /** How long an org's WhatsApp sending pauses after an authentication or account error. */
        public Builder haltOrgFor(Duration haltOrgFor) {
            this.haltOrgFor = haltOrgFor;
            return this;
        }

        /** Default sends per second per WhatsApp sending number (Meta's default: 80). */
        public Builder messagesPerSecond(int messagesPerSecond) {
            this.messagesPerSecond = messagesPerSecond;
            return this;
        }

        /** Sends per second for one sending number (a phone number id), over its stored setting. */
        public Builder messagesPerSecond(String phoneNumberId, int messagesPerSecond) {
            senderRates.put(Objects.requireNonNull(phoneNumberId, "phoneNumberId"), messagesPerSecond);
            return this;
        }

        /** Sends per second on the SMS channel. */
        public Builder smsMessagesPerSecond(int smsRate) {
            this.smsRate = smsRate;
            return this;
        }

        /** Longest wait for a pacing slot before the message is rescheduled instead. */
        public Builder pacingWait(Duration pacingWait) {
            this.pacingWait = pacingWait;
            return this;
        }

        public Dispatcher build() {
            if (maxInFlight == 0) {
                maxInFlight = (Math.max(1, storeThreads) + 2) * batchSize;
            }
            Violations v = new Violations();
            if (providers.isEmpty()) {
                v.add("providers", "is empty", "at least one provider, for WHATSAPP or SMS");
            }
            providers.forEach((c, list) -> {
                if (list.isEmpty() || list.stream().anyMatch(Objects::isNull)) {
                    v.add("providers[" + c + "]", "is empty or holds null", "one or more providers");
                }
            });
            v.requireNonNull("retryPolicy", retryPolicy);
            v.requireNonNull("consentPolicy", consentPolicy);
            v.requireNonNull("fallbackRules", fallbackRules);
            v.requireNonNull("clock", clock);
            v.requireNonNull("circuitBreaker", circuitBreaker);
            v.text("instanceId", instanceId, 100, java.util.regex.Pattern.compile("[A-Za-z0-9._@-]+"),
                    "letters, digits, '.', '_', '@', '-'");
            v.range("batchSize", batchSize, 1, 10_000);
            v.range("storeThreads", storeThreads, 1, 64);
            v.range("concurrency", concurrency, 1, 10_000);
            v.range("maxInFlight", maxInFlight, batchSize, 1_000_000);
            v.range("messagesPerSecond", messagesPerSecond, 1, 10_000);
            v.range("smsMessagesPerSecond", smsRate, 1, 10_000);
            senderRates.forEach((k, r) -> v.range("messagesPerSecond[" + k + "]", r, 1, 10_000));
            positive(v, "lease", lease, Duration.ofSeconds(1));
            positive(v, "pollInterval", pollInterval, Duration.ofMillis(1));
            positive(v, "maintenanceInterval", maintenanceInterval, Duration.ofMillis(1));
            positive(v, "stuckAfter", stuckAfter, Duration.ofSeconds(1));
            positive(v, "closeTimeout", closeTimeout, Duration.ofMillis(1));
            positive(v, "pacingWait", pacingWait, Duration.ZERO);
            if (v.requireNonNull("haltOrgFor", haltOrgFor) && haltOrgFor.isNegative()) {
                v.add("haltOrgFor", "is negative", "zero or more");
            }
            if (lease != null && closeTimeout != null && lease.compareTo(closeTimeout) <= 0) {
                v.add("lease", "is not longer than closeTimeout", "a lease outlives the close of a clean shutdown");
            }
            if (lease != null && !lease.isNegative()) {
                longestCall().ifPresent(p -> {
                    Duration needed = p.callTimeout().plus(LeaseBudget.writeMargin(lease));
                    if (lease.compareTo(needed) <= 0) {
                        v.add("lease", "is " + lease + ", not longer than provider " + p.name() + "'s call timeout "
                                + p.callTimeout() + " and the time to write its result",
                                "longer than the longest provider call timeout plus a tenth of the lease (at most 5 s)");
                    }
                });
            }
            v.throwIfAny("dispatcher settings");
            return new Dispatcher(this);
        }

        private java.util.Optional<MessageProvider> longestCall() {
            return providers.values().stream().flatMap(List::stream).filter(Objects::nonNull)
                    .filter(p -> p.callTimeout() != null)
                    .max(java.util.Comparator.comparing(MessageProvider::callTimeout));
        }

        private static void positive(Violations v, String field, Duration d, Duration min) {
            if (v.requireNonNull(field, d) && d.compareTo(min) < 0) {
                v.add(field, "is " + d, "at least " + min);
            }
        }

        private static String defaultInstanceId() {
            String name = ManagementFactory.getRuntimeMXBean().getName().replaceAll("[^A-Za-z0-9._@-]", "-");
            return name + "-" + UUID.randomUUID().toString().substring(0, 6);
        }
    }
}

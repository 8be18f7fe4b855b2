package io.whatsappoutbox.core.dispatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPolicy;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.internal.DeliveryDecisions;
import io.whatsappoutbox.core.internal.Listeners;
import io.whatsappoutbox.core.internal.OptOutRules;
import io.whatsappoutbox.core.internal.WebhookApplier;
import io.whatsappoutbox.core.store.ClaimShare;
import io.whatsappoutbox.core.store.CompletionReport;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.store.WakeUpSource;
import io.whatsappoutbox.core.store.WebhookStore;
import io.whatsappoutbox.core.webhook.WebhookSink;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
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
 *         .observationRegistry(observations)   // optional: observes sends and receipts (tracing)
 *         .build();
 * dispatcher.start();
 * ...
 * dispatcher.close();   // stops claiming, lets sends in flight finish and records them
 * }</pre>
 *
 * <p>The dispatcher itself is the lifecycle (start, close, the threads) over its parts: the claim
 * threads ({@code ClaimLoop}), the room for messages in flight ({@code InFlightBudget}), the periodic
 * chores ({@code Maintenance}), the sends ({@code SendSide}) and the results ({@code ResultWriter}).
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    static final int NEW = 0;
    static final int RUNNING = 1;
    static final int CLOSED = 2;

    private final DispatcherSettings settings;
    private final Clock clock;
    private final OutboxListener listener;
    private final ResultWriter writer;
    private final WebhookApplier webhooks;
    private final SendSide sending;
    private final InFlightBudget inFlight;
    private final Maintenance maintenance;
    private final ClaimLoop claims;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final List<Thread> writerThreads = new ArrayList<>();
    private volatile Instant lastWriteAt;

    private Dispatcher(DispatcherSettings s) {
        this.settings = s;
        this.clock = s.clock;
        this.listener = Listeners.of(s.meterRegistry, s.listeners);
        this.sending = new SendSide(s, listener);
        this.inFlight = new InFlightBudget(s.maxInFlight, s.batchSize, sending.lease);
        // group commit: the writer takes every result waiting, up to all that can be in flight
        // the receipts that beat their send are applied in the completion's transaction with the
        // same policy as the sends' own errors
        this.writer = new ResultWriter(s.store, new DeliveryDecisions(sending.policy, Set.of()), clock, s.maxInFlight,
                this::afterWrite, inFlight::release);
        // the webhook side decides failed receipts with the very policy the sends are decided with
        this.webhooks = s.webhookStore == null ? null
                : new WebhookApplier(s.webhookStore, sending.policy, s.optOut, clock, listener, s.observations);
        this.maintenance = new Maintenance(s.store, clock, s.fallbackRules, listener, webhooks, s.maintenanceInterval,
                s.stuckAfter, sending.holds);
        this.claims = new ClaimLoop(s, inFlight, sending.sender, writer, maintenance, state);
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
    public WebhookSink webhooks() {
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
        writerThreads.addAll(Threads.start(settings.storeThreads, "whatsapp-outbox-writer", i -> writer));
        claims.start();
        log.info("Dispatcher {} started: batch {}, {} claim and {} writer thread(s), concurrency {}, max in flight {},"
                + " lease {} s, poll {} ms", settings.instanceId, settings.batchSize, settings.storeThreads,
                settings.storeThreads, settings.autoConcurrency
                        ? settings.concurrency + " (growing with the pace, up to " + SendThreads.AUTO_MAX + ")"
                        : settings.concurrency,
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
            claimed = claims.claimAndProcess(ClaimShare.ALL, current == NEW);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        if (current == NEW) {
            writer.writeUntil(inFlight::allReturned);
        } else {
            inFlight.awaitAllReturned(Duration.ofMinutes(5));
        }
        return claimed;
    }

    /**
     * Lease recovery, gauges, the no-delivery fallback sweep, the webhook dedup pruning and the
     * sending holds of Meta's lifecycle webhooks read again, now.
     */
    public void runMaintenance() {
        maintenance.runNow();
    }

    /**
     * What the dispatcher is doing, for a host's health check: a dispatcher that runs but has not
     * claimed for long, or whose permits stay taken, is stuck.
     */
    public DispatcherHealth health() {
        LeaseBudget lease = inFlight.lease();
        return new DispatcherHealth(state.get() == RUNNING && claims.anyAlive(), claims.lastClaimAt(), lastWriteAt,
                inFlight.available(), settings.maxInFlight, lease.limit(), lease.meanCallLatency(), writer.backlog(),
                sending.breakers());
    }

    private void afterWrite(CompletionReport report) {
        lastWriteAt = clock.instant();
        if (!report.fallbacksCreated().isEmpty()) {
            listener.onFallbacksCreated(report.fallbacksCreated().size());
        }
        // the receipts that beat their send were applied in the completion's own transaction
        report.deliveries().forEach(d -> listener.onDelivery(
                new OutboxListener.Delivered(d.channel(), Duration.between(d.createdAt(), d.deliveredAt()))));
        claims.wake();
    }

    /**
     * Stops claiming, lets the sends in flight finish and records their results, within the close
     * timeout. After a clean close nothing this dispatcher claimed is left SENDING.
     */
    @Override
    public void close() {
        if (!state.compareAndSet(RUNNING, CLOSED)) {
            state.set(CLOSED);
            sending.shutdown(settings.closeTimeout);
            return;
        }
        claims.wake();
        claims.join(System.nanoTime() + settings.closeTimeout.toNanos());
        boolean clean = inFlight.awaitAllReturned(settings.closeTimeout);
        if (!clean) {
            log.warn("Dispatcher {} closed with {} message(s) still in flight: their leases will expire and they will"
                    + " be sent again", settings.instanceId, inFlight.inFlight());
            writer.abandon();
        }
        writer.stop();
        writerThreads.forEach(t -> Threads.joinQuietly(t, Duration.ofSeconds(5)));
        sending.shutdown(settings.closeTimeout);
        claims.stopWakeUps();
        log.info("Dispatcher {} closed", settings.instanceId);
    }

    public String instanceId() {
        return settings.instanceId;
    }

    /** How a host configures a dispatcher; every option has a default but the providers. */
    public static final class Builder {
        final DispatchStore store;
        final Map<Channel, List<MessageProvider>> providers = new EnumMap<>(Channel.class);
        final Map<Channel, ErrorCatalogue> catalogues = new EnumMap<>(Channel.class);
        final Map<String, Integer> senderRates = new HashMap<>();
        RetryPolicy retryPolicy = RetryPolicy.defaults();
        ConsentPolicy consentPolicy = ConsentPolicy.requireGrant();
        FallbackRules fallbackRules = FallbackRules.none();
        WebhookStore webhookStore;
        OptOutRules optOut = OptOutRules.defaults();
        Clock clock = Clock.systemUTC();
        MeterRegistry meterRegistry;
        ObservationRegistry observationRegistry;
        ExecutorService executor;
        WakeUpSource wakeUps;
        final List<OutboxListener> listeners = new ArrayList<>();
        CircuitBreakerSettings circuitBreaker = CircuitBreakerSettings.defaults();
        String instanceId = DispatcherSettings.defaultInstanceId();
        int batchSize = 100;
        int storeThreads = 2;
        /** Null: {@link SendThreads}' default, growing with the pace. */
        Integer concurrency;
        int maxInFlight = 0;
        Duration lease = Duration.ofMinutes(2);
        Duration pollInterval = Duration.ofSeconds(1);
        Duration maintenanceInterval = Duration.ofSeconds(10);
        Duration stuckAfter = Duration.ofMinutes(5);
        Duration closeTimeout = Duration.ofSeconds(30);
        Duration haltOrgFor = Duration.ofMinutes(10);
        Duration pacingWait = Duration.ofSeconds(5);
        int messagesPerSecond = 80;
        int smsRate = 30;

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

        /** Replaces the opt-out keywords of both channels (typed text only, whole message, case and accents ignored). */
        public Builder optOutKeywords(List<String> keywords) {
            optOut = optOut.withOptOutKeywords(keywords);
            return this;
        }

        /**
         * Replaces one channel's opt-out keywords (WhatsApp: STOP, STOPALL, UNSUBSCRIBE, ARRET, ARRETER,
         * DESABONNER, DESINSCRIRE; SMS: Twilio's STOP words and ARRET by default). Only what the customer
         * typed is matched, never a button's or list row's title.
         */
        public Builder optOutKeywords(Channel channel, List<String> keywords) {
            optOut = optOut.withOptOutKeywords(channel, keywords);
            return this;
        }

        /** Reply ids (quick-reply payloads, list row ids) that opt out, such as {@code optout}: none by default. */
        public Builder optOutPayloads(Set<String> replyIds) {
            optOut = optOut.withOptOutPayloads(replyIds);
            return this;
        }

        /** The SMS words that grant SMS consent back (START, UNSTOP, YES by default). */
        public Builder smsOptInKeywords(List<String> keywords) {
            optOut = optOut.withSmsOptInKeywords(keywords);
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

        /**
         * Observes each provider call ({@code whatsapp.outbox.send}, joining the trace stored on the
         * message at enqueue) and each webhook batch of {@link Dispatcher#webhooks()}
         * ({@code whatsapp.outbox.receipt}). Unset or {@link ObservationRegistry#NOOP} (the default):
         * nothing is observed and nothing is allocated for it.
         */
        public Builder observationRegistry(ObservationRegistry observationRegistry) {
            this.observationRegistry = observationRegistry;
            return this;
        }

        /**
         * Adds a listener told of claims, attempts, deferrals, dead letters, receipts, fallbacks,
         * provider switches, breaker changes, recovered leases and queue snapshots, here and in
         * {@link Dispatcher#webhooks()}. Several may be added; the meters of {@link #meterRegistry}
         * are one without being added. A listener that throws is logged and never stops a send.
         */
        public Builder listener(OutboxListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
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

        /**
         * Provider calls in parallel. On the synchronous path each holds a send thread for its round
         * trip: unset, the dispatcher's own send threads start at 16 and grow, up to 64, to what the
         * senders' pace needs at the call latency seen (pace x mean latency x 1.25): 25 for one
         * number at 80 msg/s and a provider answering in 250 ms. Set, it is fixed. On the
         * asynchronous path a call holds no thread: unset, the pace and the latency size the calls
         * in flight; set, it is also their ceiling (a provider that must not get more at once).
         */
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

        /** @throws IllegalArgumentException naming every setting that breaks a rule */
        public Dispatcher build() {
            return new Dispatcher(new DispatcherSettings(this));
        }
    }
}

package io.whatsappoutbox.core.dispatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.whatsappoutbox.core.internal.OutboxObservations;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPolicy;
import io.whatsappoutbox.core.internal.OptOutRules;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.store.WakeUpSource;
import io.whatsappoutbox.core.store.WebhookStore;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;

/**
 * A {@link Dispatcher.Builder}'s values once validated, fixed for the dispatcher's life: every
 * part of the dispatcher reads its settings here.
 */
final class DispatcherSettings {
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._@-]+");

    final DispatchStore store;
    final Map<Channel, List<MessageProvider>> providers;
    final Map<Channel, ErrorCatalogue> catalogues;
    final Map<String, Integer> senderRates;
    final RetryPolicy retryPolicy;
    final ConsentPolicy consentPolicy;
    final FallbackRules fallbackRules;
    final WebhookStore webhookStore;
    final OptOutRules optOut;
    final Clock clock;
    final MeterRegistry meterRegistry;
    final OutboxObservations observations;
    /** Null: the dispatcher runs its own pool. */
    final ExecutorService executor;
    final WakeUpSource wakeUps;
    final CircuitBreakerSettings circuitBreaker;
    final List<OutboxListener> listeners;
    final String instanceId;
    final int batchSize;
    final int storeThreads;
    final int concurrency;
    /** The host's concurrency, the ceiling of calls at once on the asynchronous path too; unbounded when unset. */
    final int maxCalls;
    /** No concurrency and no executor set: the dispatcher's send threads grow with the pace ({@link SendThreads}). */
    final boolean autoConcurrency;
    final int maxInFlight;
    /**
     * With asynchronous providers, the claims the pace sizes never go below this before a pace is
     * known: the synchronous default ({@code (storeThreads + 2) x batchSize}), or maxInFlight if smaller.
     */
    final int inFlightFloor;
    /** Some channel's providers are all asynchronous: the pace, not the threads, sizes what is in flight. */
    final boolean asynchronous;
    final Duration lease;
    final Duration pollInterval;
    final Duration maintenanceInterval;
    final Duration stuckAfter;
    final Duration closeTimeout;
    final Duration haltOrgFor;
    final Duration pacingWait;
    final int messagesPerSecond;
    final int smsRate;

    /** The default ceiling of messages claimed and not yet written with asynchronous providers. */
    static final int ASYNC_MAX_IN_FLIGHT = 20_000;

    /** @throws IllegalArgumentException naming every field that breaks a rule */
    DispatcherSettings(Dispatcher.Builder b) {
        int classic = (Math.max(1, b.storeThreads) + 2) * b.batchSize;
        boolean async = b.providers.values().stream().anyMatch(list -> !list.isEmpty()
                && list.stream().allMatch(p -> p != null && p.isAsynchronous()));
        // asynchronous calls hold no thread: the default is only a ceiling, the pace sizes the claims
        int inFlight = b.maxInFlight != 0 ? b.maxInFlight : async ? Math.max(classic, ASYNC_MAX_IN_FLIGHT) : classic;
        validate(b, inFlight);
        store = b.store;
        providers = Map.copyOf(b.providers);
        catalogues = Map.copyOf(b.catalogues);
        senderRates = Map.copyOf(b.senderRates);
        retryPolicy = b.retryPolicy;
        consentPolicy = b.consentPolicy;
        fallbackRules = b.fallbackRules;
        webhookStore = b.webhookStore;
        optOut = b.optOut;
        clock = b.clock;
        meterRegistry = b.meterRegistry;
        observations = OutboxObservations.of(b.observationRegistry);
        executor = b.executor;
        wakeUps = b.wakeUps;
        circuitBreaker = b.circuitBreaker;
        listeners = List.copyOf(b.listeners);
        instanceId = b.instanceId;
        batchSize = b.batchSize;
        storeThreads = b.storeThreads;
        concurrency = b.concurrency == null ? SendThreads.AUTO_MIN : b.concurrency;
        autoConcurrency = b.concurrency == null && b.executor == null;
        maxCalls = b.concurrency == null ? Integer.MAX_VALUE : b.concurrency;
        maxInFlight = inFlight;
        inFlightFloor = Math.min(classic, inFlight);
        asynchronous = async;
        lease = b.lease;
        pollInterval = b.pollInterval;
        maintenanceInterval = b.maintenanceInterval;
        stuckAfter = b.stuckAfter;
        closeTimeout = b.closeTimeout;
        haltOrgFor = b.haltOrgFor;
        pacingWait = b.pacingWait;
        messagesPerSecond = b.messagesPerSecond;
        smsRate = b.smsRate;
    }

    /** Host name, process id and a random suffix. */
    static String defaultInstanceId() {
        String name = ManagementFactory.getRuntimeMXBean().getName().replaceAll("[^A-Za-z0-9._@-]", "-");
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static void validate(Dispatcher.Builder b, int maxInFlight) {
        Violations v = new Violations();
        if (b.providers.isEmpty()) {
            v.add("providers", "is empty", "at least one provider, for WHATSAPP or SMS");
        }
        b.providers.forEach((c, list) -> {
            if (list.isEmpty() || list.stream().anyMatch(Objects::isNull)) {
                v.add("providers[" + c + "]", "is empty or holds null", "one or more providers");
            }
        });
        v.requireNonNull("retryPolicy", b.retryPolicy);
        v.requireNonNull("consentPolicy", b.consentPolicy);
        v.requireNonNull("fallbackRules", b.fallbackRules);
        v.requireNonNull("clock", b.clock);
        v.requireNonNull("circuitBreaker", b.circuitBreaker);
        b.optOut.check(v);
        v.text("instanceId", b.instanceId, 100, INSTANCE_ID, "letters, digits, '.', '_', '@', '-'");
        v.range("batchSize", b.batchSize, 1, 10_000);
        v.range("storeThreads", b.storeThreads, 1, 64);
        if (b.concurrency != null) {
            v.range("concurrency", b.concurrency, 1, 10_000);
        }
        v.range("maxInFlight", maxInFlight, b.batchSize, 1_000_000);
        v.range("messagesPerSecond", b.messagesPerSecond, 1, 10_000);
        v.range("smsMessagesPerSecond", b.smsRate, 1, 10_000);
        b.senderRates.forEach((k, r) -> v.range("messagesPerSecond[" + k + "]", r, 1, 10_000));
        positive(v, "lease", b.lease, Duration.ofSeconds(1));
        positive(v, "pollInterval", b.pollInterval, Duration.ofMillis(1));
        positive(v, "maintenanceInterval", b.maintenanceInterval, Duration.ofMillis(1));
        positive(v, "stuckAfter", b.stuckAfter, Duration.ofSeconds(1));
        positive(v, "closeTimeout", b.closeTimeout, Duration.ofMillis(1));
        positive(v, "pacingWait", b.pacingWait, Duration.ZERO);
        if (v.requireNonNull("haltOrgFor", b.haltOrgFor) && b.haltOrgFor.isNegative()) {
            v.add("haltOrgFor", "is negative", "zero or more");
        }
        Duration lease = b.lease;
        if (lease != null && b.closeTimeout != null && lease.compareTo(b.closeTimeout) <= 0) {
            v.add("lease", "is not longer than closeTimeout", "a lease outlives the close of a clean shutdown");
        }
        if (lease != null && !lease.isNegative()) {
            longestCall(b.providers).ifPresent(p -> {
                Duration needed = p.callTimeout().plus(LeaseBudget.writeMargin(lease));
                if (lease.compareTo(needed) <= 0) {
                    v.add("lease", "is " + lease + ", not longer than provider " + p.name() + "'s call timeout "
                            + p.callTimeout() + " and the time to write its result",
                            "longer than the longest provider call timeout plus a tenth of the lease (at most 5 s)");
                }
            });
        }
        v.throwIfAny("dispatcher settings");
    }

    private static Optional<MessageProvider> longestCall(Map<Channel, List<MessageProvider>> providers) {
        return providers.values().stream().flatMap(List::stream).filter(Objects::nonNull)
                .filter(p -> p.callTimeout() != null)
                .max(Comparator.comparing(MessageProvider::callTimeout));
    }

    private static void positive(Violations v, String field, Duration d, Duration min) {
        if (v.requireNonNull(field, d) && d.compareTo(min) < 0) {
            v.add(field, "is " + d, "at least " + min);
        }
    }
}

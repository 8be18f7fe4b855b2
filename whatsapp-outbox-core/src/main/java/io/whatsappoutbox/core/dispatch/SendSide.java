package io.whatsappoutbox.core.dispatch;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.internal.SendRules;
import io.whatsappoutbox.core.internal.DeliveryPolicy;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The sending half of a dispatcher, put together once: each channel's provider chain behind its
 * breakers, the delivery policy their catalogues make (shared with the webhook side), the lease
 * budget their call timeouts set, and the batch sender on the send executor.
 */
final class SendSide {
    final DeliveryPolicy policy;
    final LeaseBudget lease;
    final BatchSender sender;
    final HeldSends holds;
    /** Null when the host passed its own executor: the host shuts that down. */
    private final ExecutorService ownExecutor;
    /** Starts the asynchronous calls when their pace slot comes; null without asynchronous providers. */
    private final ScheduledExecutorService pacing;

    private final Map<Channel, ProviderChain> chains;

    SendSide(DispatcherSettings s, OutboxListener listener) {
        Map<Channel, ProviderChain> chains = chains(s, listener);
        this.chains = chains;
        this.policy = policy(s, chains);
        Duration callTimeout = Duration.ZERO;
        for (ProviderChain chain : chains.values()) {
            callTimeout = chain.callTimeout().compareTo(callTimeout) > 0 ? chain.callTimeout() : callTimeout;
        }
        Pacer pacer = new Pacer(s.messagesPerSecond, s.smsRate, s.senderRates, s.pacingWait);
        // asynchronous calls hold no send slot: the pace they must reach sizes the claims
        this.lease = s.asynchronous
                ? new LeaseBudget(s.concurrency, s.maxInFlight, s.lease, callTimeout, pacer::pacedRateSum, s.inFlightFloor,
                        s.maxCalls)
                : new LeaseBudget(s.concurrency, s.maxInFlight, s.lease, callTimeout);
        ThreadPoolExecutor own = s.executor == null ? SendThreads.pool(s.concurrency) : null;
        this.ownExecutor = own;
        SendThreads threads = new SendThreads(s.executor == null ? own : s.executor,
                s.autoConcurrency ? own : null, s.concurrency, lease);
        this.holds = new HeldSends(s.store, SendSide::isMarketing);
        this.sender = new BatchSender(s.store, new SendRules(s.consentPolicy), policy.decider(), chains,
                pacer, threads, listener, s.observations, s.clock, s.stuckAfter,
                lease, holds, new CallPermits(s.clock, Math.min(s.maxCalls, transportLimit(chains))), pacing = s.asynchronous
                        ? Executors.newSingleThreadScheduledExecutor(Threads.daemons("whatsapp-outbox-pacing")) : null);
    }

    /** The fewest calls at once the clients of the asynchronous chains carry. */
    private static int transportLimit(Map<Channel, ProviderChain> chains) {
        return chains.values().stream().filter(ProviderChain::isAsynchronous)
                .mapToInt(ProviderChain::maxConcurrentCalls).min().orElse(Integer.MAX_VALUE);
    }

    /** Every breaker now: {@code channel/provider} to its state. */
    Map<String, OutboxListener.CircuitState> breakers() {
        Map<String, OutboxListener.CircuitState> all = new java.util.LinkedHashMap<>();
        chains.forEach((channel, chain) -> chain.breakers().forEach((provider, state) ->
                all.put(channel.name() + "/" + provider, state)));
        return all;
    }

    /** Lets the provider calls running finish within {@code timeout}, if the executor is the dispatcher's own. */
    void shutdown(Duration timeout) {
        if (pacing != null) {
            Threads.shutdown(pacing, timeout);
        }
        if (ownExecutor != null) {
            Threads.shutdown(ownExecutor, timeout);
        }
    }

    private static Map<Channel, ProviderChain> chains(DispatcherSettings s, OutboxListener listener) {
        CircuitBreakerSettings cb = s.circuitBreaker;
        CircuitBreakerConfig breaker = CircuitBreakerConfig.custom()
                .failureRateThreshold(cb.failureRatePercent())
                .slidingWindow(cb.slidingWindowCalls(), cb.minimumCalls(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(cb.openFor())
                .permittedNumberOfCallsInHalfOpenState(cb.halfOpenProbes())
                .clock(s.clock)
                .build();
        Map<Channel, ProviderChain> chains = new EnumMap<>(Channel.class);
        s.providers.forEach((channel, list) -> chains.put(channel,
                new ProviderChain(channel, list, s.catalogues.get(channel), breaker, listener,
                        LeaseBudget.writeMargin(s.lease).dividedBy(2))));
        return chains;
    }

    /** Each channel read with its preferred provider's catalogue, each provider's receipts with its own. */
    private static DeliveryPolicy policy(DispatcherSettings s, Map<Channel, ProviderChain> chains) {
        Map<Channel, ErrorCatalogue> catalogues = DeliveryPolicy.defaultCatalogues();
        Map<String, ErrorCatalogue> byProvider = DeliveryPolicy.providerCatalogues();
        chains.forEach((channel, chain) -> {
            catalogues.put(channel, chain.primaryCatalogue());
            chain.cataloguesByProvider().forEach((provider, c) -> byProvider.put(DeliveryPolicy.key(channel, provider), c));
        });
        return new DeliveryPolicy(s.retryPolicy, s.fallbackRules, s.haltOrgFor, catalogues, byProvider);
    }

    private static boolean isMarketing(io.whatsappoutbox.core.OutboundMessage m) {
        return m.purpose() == io.whatsappoutbox.core.ConsentPurpose.MARKETING;
    }
}

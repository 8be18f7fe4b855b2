package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessage;
import io.micrometer.observation.Observation;
import io.whatsappoutbox.core.internal.FailureDecider;
import io.whatsappoutbox.core.internal.OutboxObservations;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.internal.SendRules;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.DispatchStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a claimed batch through the gate (rules, holds, limits, quota), the provider and the retry
 * decision, handing each result to the writer as soon as it exists. No transaction is open while a
 * provider is called: the store is only touched before (the gate) and after (the writer).
 */
final class BatchSender {
    private static final Logger log = LoggerFactory.getLogger(BatchSender.class);

    private final DispatchStore store;
    private final Map<Channel, ProviderChain> chains;
    private final Pacer pacer;
    private final SendThreads threads;
    private final OutboxListener listener;
    private final OutboxObservations observations;
    private final Clock clock;
    private final Duration stuckAfter;
    private final LeaseBudget budget;
    private final AttemptOutcomes outcomes;
    private final SendGate gate;
    private final AsyncSends async;

    BatchSender(DispatchStore store, SendRules rules, FailureDecider decider, Map<Channel, ProviderChain> chains,
            Pacer pacer, SendThreads threads, OutboxListener listener, OutboxObservations observations, Clock clock,
            Duration stuckAfter,
            LeaseBudget budget, HeldSends holds, CallPermits calls, ScheduledExecutorService pacing) {
        this.store = store;
        this.chains = chains;
        this.pacer = pacer;
        this.threads = threads;
        this.listener = listener;
        this.observations = observations;
        this.clock = clock;
        this.stuckAfter = stuckAfter;
        this.budget = budget;
        this.outcomes = new AttemptOutcomes(decider, chains, listener, clock);
        this.gate = new SendGate(store, rules, holds, chains, outcomes);
        this.async = new AsyncSends(chains, pacer, calls, budget, threads.executor(), pacing, outcomes,
                observations, clock);
    }

    /**
     * Processes a batch claimed at {@code claimedAt}: exactly one result per message goes to
     * {@code sink} (possibly from other threads), whatever host code throws. Returns once every send
     * is submitted, not once it is done. Throws only when the quota cannot be reserved, before any
     * result is handed on: the caller then gives the whole batch back.
     */
    void process(List<ClaimedMessage> batch, Instant claimedAt, Consumer<AttemptResult> sink) {
        Instant now = clock.instant();
        int waitedTooLong = 0;
        for (ClaimedMessage c : batch) {
            if (c.message().attemptCount() == 1 && c.message().nextAttemptAt().plus(stuckAfter).isBefore(now)) {
                waitedTooLong++;
            }
        }
        listener.onClaim(new OutboxListener.Claimed(batch.size(), waitedTooLong));
        QuotaReturn quota = new QuotaReturn(store, clock, now);
        List<ClaimedMessage> sendable = gate.admit(batch, now, quota, sink);
        Instant lastCallStart = budget.lastCallStart(claimedAt);
        // positions from the instant they are reserved, not the batch's start: the gate took a while
        Instant reservedAt = clock.instant();
        Duration paceWithin = Duration.between(reservedAt, lastCallStart);
        SharedPace shared = SharedPace.reserve(store, pacer, sendable,
                paceWithin.compareTo(pacer.maxWait()) < 0 ? paceWithin : pacer.maxWait(), reservedAt);
        Consumer<AttemptResult> sent = r -> {
            sink.accept(r);
            quota.settled(r);
        };
        // one task per recipient keeps that recipient's messages in order
        Map<String, List<ClaimedMessage>> byRecipient = new LinkedHashMap<>();
        for (ClaimedMessage c : sendable) {
            byRecipient.computeIfAbsent(c.message().channel() + c.message().to().value(), k -> new ArrayList<>()).add(c);
        }
        // as many tasks as calls may run at once, each taking recipients from the batch until none
        // is left: the same spread as a task per recipient, without a hand-off per message
        Queue<List<ClaimedMessage>> groups = new ConcurrentLinkedQueue<>(byRecipient.values());
        threads.fitTo(pacer.pacedRateSum());
        int started = 0;
        for (int i = Math.min(threads.size(), groups.size()); i > 0; i--) {
            try {
                threads.executor().execute(() -> {
                    for (List<ClaimedMessage> group = groups.poll(); group != null; group = groups.poll()) {
                        if (chains.get(group.get(0).message().channel()).isAsynchronous()) {
                            async.sendInTurn(group, 0, lastCallStart, shared, sent);
                            continue;
                        }
                        for (ClaimedMessage c : group) {
                            sent.accept(sendSafely(c, lastCallStart, shared));
                        }
                    }
                });
                started++;
            } catch (RuntimeException e) {
                // a host executor that refuses work: the tasks started take every group; with none
                // started, each message is retried (DISPATCH_FAILED), none is left without a result
                if (started == 0) {
                    log.error("The send executor refused the batch: {} message(s) retried unsent: {}", sendable.size(),
                            SafeText.describe(e));
                    for (List<ClaimedMessage> group = groups.poll(); group != null; group = groups.poll()) {
                        group.forEach(c -> sent.accept(outcomes.failed(c, null, e, clock.instant())));
                    }
                }
                break;
            }
        }
    }

    /** The call permits of the asynchronous path (tests look at what is in flight). */
    CallPermits calls() {
        return async.calls();
    }

    /** The asynchronous path's starts that came later than their own slot allows (tests look). */
    long lateStarts() {
        return async.lateStarts();
    }

    /** Waits on this send thread until the clock reaches {@code at}, within the pacing wait (no later position is granted). */
    private void sleepUntil(Instant at) {
        long wait = Duration.between(clock.instant(), at).toNanos();
        long until = System.nanoTime() + wait;
        while (wait > 0) {
            LockSupport.parkNanos(wait);
            wait = until - System.nanoTime();
        }
    }

    /** A result for the message whatever throws: no exception leaves a send without one. */
    private AttemptResult sendSafely(ClaimedMessage c, Instant lastCallStart, SharedPace shared) {
        OutboundMessage m = c.message();
        Instant startedAt = clock.instant();
        ProviderChain.Outcome outcome;
        Observation observed = Observation.NOOP;
        try {
            boolean sharedPace = shared.paces(c);
            Instant position = sharedPace ? shared.next(c, startedAt) : null;
            if (sharedPace) {
                if (position == null) {
                    return outcomes.paced(c, startedAt, shared.retryAt(c, startedAt));
                }
                sleepUntil(position);
            }
            if (!pacer.acquire(c)) {
                return outcomes.paced(c, startedAt);
            }
            threads.acquire();
            try {
                Instant callAt = clock.instant();
                if (callAt.isAfter(lastCallStart)) {
                    return outcomes.givenBack(c, callAt);
                }
                if (position != null && SharedPace.late(position, callAt)) {
                    return outcomes.paced(c, startedAt, shared.retryAt(c, callAt));
                }
                Instant giveUpAt = outcomes.giveUpAt(m);
                if (giveUpAt != null && !callAt.isBefore(giveUpAt)) {
                    // pacing or a busy send thread made it late since the gate
                    return outcomes.expired(c, giveUpAt, "its call would start at " + callAt, callAt);
                }
                observed = observations.startSend(m);
                outcome = OutboxObservations.inScope(observed, () -> chains.get(m.channel()).send(m));
            } finally {
                threads.release();
            }
        } catch (RuntimeException | Error e) {
            return OutboxObservations.stopSend(observed, outcomes.failed(c, null, e, startedAt), e);
        }
        try {
            if (outcome.provider() != null) {
                budget.observe(outcome.duration());
            }
            return OutboxObservations.stopSend(observed, outcomes.decide(c, outcome, startedAt), null);
        } catch (RuntimeException | Error e) {
            return OutboxObservations.stopSend(observed, outcomes.failed(c, outcome, e, startedAt), e);
        }
    }
}

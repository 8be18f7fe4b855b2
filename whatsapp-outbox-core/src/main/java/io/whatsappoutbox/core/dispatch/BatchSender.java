package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.RetryDecision;
import io.whatsappoutbox.core.internal.SendRules;
import io.whatsappoutbox.core.internal.FailureDecider;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.QuotaGrant;
import io.whatsappoutbox.core.spi.SendResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a claimed batch through the send rules, the quota, the provider and the retry decision,
 * handing each result to the writer as soon as it exists. No transaction is open while a provider
 * is called: the store is only touched before (quota) and after (the writer).
 */
final class BatchSender {
    private static final Logger log = LoggerFactory.getLogger(BatchSender.class);

    private final DispatchStore store;
    private final SendRules rules;
    private final FailureDecider decider;
    private final Map<Channel, ProviderChain> chains;
    private final Pacer pacer;
    private final Executor executor;
    private final Semaphore sendSlots;
    private final int concurrency;
    private final OutboxListener listener;
    private final Clock clock;
    private final Duration stuckAfter;
    private final Duration pacedRetry;
    private final int smsRate;
    private final LeaseBudget budget;
    private final HeldSends holds;
    /** The calls in flight of asynchronous chains. */
    private final CallPermits calls;
    /** Starts the asynchronous calls whose pace slot is later; null without asynchronous chains. */
    private final java.util.concurrent.ScheduledExecutorService pacing;

    BatchSender(DispatchStore store, SendRules rules, FailureDecider decider, Map<Channel, ProviderChain> chains,
            Pacer pacer, Executor executor, int concurrency, OutboxListener listener, Clock clock, Duration stuckAfter,
            int smsRate, LeaseBudget budget, HeldSends holds) {
        this(store, rules, decider, chains, pacer, executor, concurrency, listener, clock, stuckAfter, smsRate, budget,
                holds, new CallPermits(clock), null);
    }

    BatchSender(DispatchStore store, SendRules rules, FailureDecider decider, Map<Channel, ProviderChain> chains,
            Pacer pacer, Executor executor, int concurrency, OutboxListener listener, Clock clock, Duration stuckAfter,
            int smsRate, LeaseBudget budget, HeldSends holds, CallPermits calls,
            java.util.concurrent.ScheduledExecutorService pacing) {
        this.calls = calls;
        this.pacing = pacing;
        this.store = store;
        this.rules = rules;
        this.decider = decider;
        this.chains = chains;
        this.pacer = pacer;
        this.executor = executor;
        this.sendSlots = new Semaphore(concurrency);
        this.concurrency = concurrency;
        this.listener = listener;
        this.clock = clock;
        this.stuckAfter = stuckAfter;
        this.pacedRetry = Duration.ofSeconds(1);
        this.smsRate = smsRate;
        this.budget = budget;
        this.holds = holds;
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
        List<ClaimedMessage> allowed = new ArrayList<>(batch.size());
        // handed to the sink only once the quota is reserved: when that fails, the caller gives the
        // whole batch back, and no result of it may be on its way to the writer
        List<AttemptResult> refused = new ArrayList<>();
        for (ClaimedMessage c : batch) {
            try {
                SendRules.Verdict v = rules.check(c.message(), c.consent(), c.window(), now);
                HeldSends.Hold hold;
                if (v instanceof SendRules.Blocked b) {
                    refused.add(blocked(c, b.error(), now));
                } else if ((hold = holds.of(c.message(), now)) != null) {
                    refused.add(held(c, hold, now));
                } else if (chains.get(c.message().channel()) == null) {
                    refused.add(deadLetter(c, new ErrorInfo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED,
                            "No provider configured for channel " + c.message().channel(), ErrorCategory.AUTH_CONFIG),
                            null, 0, Duration.ZERO, now));
                } else {
                    allowed.add(c);
                }
            } catch (RuntimeException | Error e) {
                refused.add(failed(c, null, e, now));
            }
        }
        allowed = applyMessagingLimit(allowed, refused, now);
        QuotaReturn quota = new QuotaReturn(store, clock, now);
        List<ClaimedMessage> sendable = applyQuota(allowed, sink, now, quota);
        refused.forEach(sink);
        Instant lastCallStart = budget.lastCallStart(claimedAt);
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
        int started = 0;
        for (int i = Math.min(concurrency, groups.size()); i > 0; i--) {
            try {
                executor.execute(() -> {
                    for (List<ClaimedMessage> group = groups.poll(); group != null; group = groups.poll()) {
                        if (chains.get(group.get(0).message().channel()).isAsynchronous()) {
                            sendInTurn(group, 0, lastCallStart, sent);
                            continue;
                        }
                        for (ClaimedMessage c : group) {
                            sent.accept(sendSafely(c, lastCallStart));
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
                        group.forEach(c -> sent.accept(failed(c, null, e, clock.instant())));
                    }
                }
                break;
            }
        }
    }

    /**
     * Counts the batch's template recipients against their account's messaging limit, before the
     * quota (a refused message reserves none). A batch without WhatsApp templates costs a scan of
     * the list, nothing more. Refused ones wait for the window to free, or fall back at once under
     * a rule for {@code RATE_LIMITED} dead letters (the category Meta's own limit error has).
     * Refused results go to {@code refused}.
     */
    private List<ClaimedMessage> applyMessagingLimit(List<ClaimedMessage> allowed, List<AttemptResult> refused,
            Instant now) {
        boolean anyTemplate = false;
        for (int i = 0; i < allowed.size() && !anyTemplate; i++) {
            anyTemplate = isTemplate(allowed.get(i).message());
        }
        if (!anyTemplate) {
            return allowed;
        }
        Map<Long, Instant> over = store.reserveRecipients(allowed, now);
        if (over.isEmpty()) {
            return allowed;
        }
        List<ClaimedMessage> kept = new ArrayList<>(allowed.size());
        for (ClaimedMessage c : allowed) {
            OutboundMessage m = c.message();
            Instant frees = isTemplate(m) ? over.get(m.id()) : null;
            if (frees == null) {
                kept.add(c);
                continue;
            }
            ErrorInfo limit = new ErrorInfo(OutboxErrorCodes.MESSAGING_LIMIT, "Messaging limit of the business account"
                    + " of org " + m.orgId() + " reached: a new recipient waits until " + frees, ErrorCategory.RATE_LIMITED);
            try {
                refused.add(decider.fallsBackOn(m, ErrorCategory.RATE_LIMITED) ? blocked(c, limit, now)
                        : defer(c, limit, frees, now));
            } catch (RuntimeException | Error e) {
                refused.add(failed(c, null, e, now));
            }
        }
        return kept;
    }

    private static boolean isTemplate(OutboundMessage m) {
        return m.channel() == Channel.WHATSAPP && m.content().withoutContext().type() == ContentType.TEMPLATE;
    }

    /** The call permits of the asynchronous path (tests look at what is in flight). */
    CallPermits calls() {
        return calls;
    }

    /** Reserves quota per org; what does not fit waits for the reset without spending an attempt. */
    private List<ClaimedMessage> applyQuota(List<ClaimedMessage> allowed, Consumer<AttemptResult> sink, Instant now,
            QuotaReturn quota) {
        Map<String, Integer> wanted = new HashMap<>();
        for (ClaimedMessage c : allowed) {
            if (c.message().channel() == Channel.WHATSAPP) {
                wanted.merge(c.message().orgId(), 1, Integer::sum);
            }
        }
        if (wanted.isEmpty()) {
            return allowed;
        }
        Map<String, QuotaGrant> grants = store.reserveQuota(wanted, now);
        Map<String, Integer> left = new HashMap<>();
        grants.forEach((org, g) -> left.put(org, g.granted()));
        List<ClaimedMessage> sendable = new ArrayList<>(allowed.size());
        for (ClaimedMessage c : allowed) {
            OutboundMessage m = c.message();
            if (m.channel() != Channel.WHATSAPP) {
                sendable.add(c);
                continue;
            }
            if (left.merge(m.orgId(), -1, Integer::sum) >= 0) {
                sendable.add(c);
                quota.reserved(1);
                continue;
            }
            QuotaGrant g = grants.get(m.orgId());
            Instant until = g.blockedUntil() == null ? now.plus(Duration.ofMinutes(1)) : g.blockedUntil();
            ErrorInfo exhausted = new ErrorInfo(OutboxErrorCodes.QUOTA_EXHAUSTED,
                    "Daily quota of org " + m.orgId() + " used up until " + until, ErrorCategory.RATE_LIMITED);
            AttemptResult r;
            try {
                r = defer(c, exhausted, until, now);
            } catch (RuntimeException | Error e) {
                r = failed(c, null, e, now);
            }
            sink.accept(r);
        }
        return sendable;
    }

    /** A result for the message whatever throws: no exception leaves a send without one. */
    private AttemptResult sendSafely(ClaimedMessage c, Instant lastCallStart) {
        OutboundMessage m = c.message();
        Instant startedAt = clock.instant();
        ProviderChain.Outcome outcome;
        try {
            String sender = m.channel() == Channel.WHATSAPP && c.senderId() != null ? c.senderId() : m.channel().name();
            Integer rate = m.channel() == Channel.SMS ? Integer.valueOf(smsRate) : c.senderMessagesPerSecond();
            if (!pacer.acquire(sender, rate)) {
                return defer(c, new ErrorInfo(OutboxErrorCodes.ORG_THROTTLED, "Sender " + sender + " at its pace limit",
                        ErrorCategory.RATE_LIMITED), startedAt.plus(pacedRetry), startedAt);
            }
            sendSlots.acquireUninterruptibly();
            try {
                Instant callAt = clock.instant();
                if (callAt.isAfter(lastCallStart)) {
                    return givenBack(c, callAt);
                }
                outcome = chains.get(m.channel()).send(m);
            } finally {
                sendSlots.release();
            }
        } catch (RuntimeException | Error e) {
            return failed(c, null, e, startedAt);
        }
        try {
            if (outcome.provider() != null) {
                budget.observe(outcome.duration());
            }
            return decide(c, outcome, startedAt);
        } catch (RuntimeException | Error e) {
            return failed(c, outcome, e, startedAt);
        }
    }

    /**
     * Sends a recipient's messages from {@code index} on through an asynchronous chain, each once
     * the one before has its answer, so that they stay in order: the first call starts in this
     * thread, the next from a send thread once the answer came. The answer is decided and handed
     * to the writer in the thread that completed the call (the HTTP client's).
     */
    private void sendInTurn(List<ClaimedMessage> group, int index, Instant lastCallStart,
            Consumer<AttemptResult> sent) {
        CompletionStage<AttemptResult> result = sendAsyncSafely(group.get(index), lastCallStart);
        result.whenComplete((r, never) -> {
            sent.accept(r);
            if (index + 1 < group.size()) {
                try {
                    executor.execute(() -> sendInTurn(group, index + 1, lastCallStart, sent));
                } catch (RuntimeException e) {
                    log.error("The send executor refused the rest of a recipient's messages: {} retried unsent: {}",
                            group.size() - index - 1, SafeText.describe(e));
                    for (int i = index + 1; i < group.size(); i++) {
                        sent.accept(failed(group.get(i), null, e, clock.instant()));
                    }
                }
            }
        });
    }

    /**
     * {@link #sendSafely} on the asynchronous path: paced and within the lease as a synchronous
     * send, bounded by the call permits instead of the send slots, the call's permit returned
     * whatever the outcome. No thread waits for the pace: the sender's slot is reserved and the
     * call started when it comes, from the pacing scheduler. The stage completes with exactly one
     * result, never exceptionally.
     */
    private CompletionStage<AttemptResult> sendAsyncSafely(ClaimedMessage c, Instant lastCallStart) {
        OutboundMessage m = c.message();
        Instant startedAt = clock.instant();
        long waitNanos;
        try {
            String sender = m.channel() == Channel.WHATSAPP && c.senderId() != null ? c.senderId() : m.channel().name();
            Integer rate = m.channel() == Channel.SMS ? Integer.valueOf(smsRate) : c.senderMessagesPerSecond();
            waitNanos = pacer.reserve(sender, rate);
            if (waitNanos < 0) {
                return CompletableFuture.completedFuture(defer(c, new ErrorInfo(OutboxErrorCodes.ORG_THROTTLED,
                        "Sender " + sender + " at its pace limit", ErrorCategory.RATE_LIMITED),
                        startedAt.plus(pacedRetry), startedAt));
            }
        } catch (RuntimeException | Error e) {
            return CompletableFuture.completedFuture(failed(c, null, e, startedAt));
        }
        if (waitNanos == 0) {
            return callAsync(c, lastCallStart, startedAt);
        }
        if (pacing == null) {
            java.util.concurrent.locks.LockSupport.parkNanos(waitNanos);
            return callAsync(c, lastCallStart, startedAt);
        }
        CompletableFuture<AttemptResult> result = new CompletableFuture<>();
        try {
            pacing.schedule(() -> callAsync(c, lastCallStart, startedAt).whenComplete((r, never) -> result.complete(r)),
                    waitNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            result.complete(failed(c, null, e, startedAt));
        }
        return result;
    }

    /** Starts the call of a paced message within its lease and a call permit. */
    private CompletionStage<AttemptResult> callAsync(ClaimedMessage c, Instant lastCallStart, Instant startedAt) {
        try {
            if (!calls.tryAcquire()) {
                // every permit is out: wait for one on a send thread, never on the pacing scheduler's
                CompletableFuture<AttemptResult> waited = new CompletableFuture<>();
                executor.execute(() -> {
                    if (!calls.acquire(lastCallStart)) {
                        waited.complete(givenBack(c, clock.instant()));
                        return;
                    }
                    permitted(c, lastCallStart, startedAt).whenComplete((r, never) -> waited.complete(r));
                });
                return waited;
            }
            return permitted(c, lastCallStart, startedAt);
        } catch (RuntimeException | Error e) {
            return CompletableFuture.completedFuture(failed(c, null, e, startedAt));
        }
    }

    /** With a call permit taken: the call, unless the lease is too short for it now. */
    private CompletionStage<AttemptResult> permitted(ClaimedMessage c, Instant lastCallStart, Instant startedAt) {
        OutboundMessage m = c.message();
        CompletionStage<ProviderChain.Outcome> call;
        try {
            Instant callAt = clock.instant();
            if (callAt.isAfter(lastCallStart)) {
                calls.release();
                return CompletableFuture.completedFuture(givenBack(c, callAt));
            }
            call = chains.get(m.channel()).sendAsync(m);
        } catch (RuntimeException | Error e) {
            calls.release();
            return CompletableFuture.completedFuture(failed(c, null, e, startedAt));
        }
        return call.handle((outcome, thrown) -> {
            calls.release();
            if (thrown != null) {
                return failed(c, null, thrown, startedAt);
            }
            try {
                if (outcome.provider() != null) {
                    budget.observe(outcome.duration());
                    calls.resizeIfDue(pacer, budget);
                }
                return decide(c, outcome, startedAt);
            } catch (RuntimeException | Error e) {
                return failed(c, outcome, e, startedAt);
            }
        });
    }

    /**
     * Too little of the lease is left for the call to finish before it ends: sent now, the message
     * could be recovered and sent again while this call runs. It goes back to the queue, due at once,
     * without spending an attempt, and is claimed again under a fresh lease.
     */
    private AttemptResult givenBack(ClaimedMessage c, Instant now) {
        log.debug("Message {} of org {} given back: its lease ends before a call could finish", c.message().id(),
                c.message().orgId());
        listener.onDeferral(new OutboxListener.Deferred(c.message().channel(), OutboxErrorCodes.LEASE_ENDING, Duration.ZERO));
        return AttemptResult.deferred(c, null, now, Duration.ZERO, new ErrorInfo(OutboxErrorCodes.LEASE_ENDING,
                "Waited in the dispatcher until its lease could end during the provider call: given back unsent",
                ErrorCategory.TEMPORARY), 0, now, null);
    }

    /**
     * The result of a message whose decision threw (host code: a fallback rule, a consent policy, an
     * error catalogue), built without calling any host code: what the provider accepted is recorded
     * as sent; anything else is retried, or dead-lettered without fallback when its attempts are used up.
     */
    private AttemptResult failed(ClaimedMessage c, ProviderChain.Outcome outcome, Throwable e, Instant startedAt) {
        OutboundMessage m = c.message();
        String why = SafeText.describe(e);
        log.error("Deciding the result of message {} of org {} threw: {}", m.id(), m.orgId(), why);
        if (outcome != null && outcome.result() instanceof SendResult.Accepted a) {
            attempted(m, outcome, Outcome.SENT, null, null);
            return AttemptResult.sent(c, outcome.provider(), startedAt, outcome.duration(), a.providerMessageId(), 200);
        }
        String provider = outcome == null ? null : outcome.provider();
        Duration took = outcome == null ? Duration.ZERO : outcome.duration();
        int http = outcome != null && outcome.result() instanceof SendResult.Rejected r ? r.error().httpStatus() : 0;
        ErrorInfo error = new ErrorInfo(OutboxErrorCodes.DISPATCH_FAILED, "Deciding the result threw: " + why,
                ErrorCategory.TEMPORARY);
        boolean last = m.attemptCount() >= m.maxAttempts();
        if (outcome != null) {
            String code = outcome.result() instanceof SendResult.Rejected r ? r.error().code() : null;
            attempted(m, outcome, last ? Outcome.DEAD_LETTER : Outcome.RETRY, code, error.category());
        }
        if (last) {
            deadLettered(m, provider, error, false);
            return AttemptResult.deadLetter(c, provider, startedAt, took, error, http, false, null);
        }
        Instant next = clock.instant().plus(decider.retryPolicy().backoffCeiling(m.attemptCount()));
        return AttemptResult.retry(c, provider, startedAt, took, error, http, next);
    }

    private AttemptResult decide(ClaimedMessage c, ProviderChain.Outcome outcome, Instant startedAt) {
        OutboundMessage m = c.message();
        Instant now = clock.instant();
        if (outcome.result() instanceof SendResult.Accepted a) {
            attempted(m, outcome, Outcome.SENT, null, null);
            log.debug("Message {} of org {} to {} accepted by {}", m.id(), m.orgId(), m.to(), outcome.provider());
            return AttemptResult.sent(c, outcome.provider(), startedAt, outcome.duration(), a.providerMessageId(), 200);
        }
        SendResult.Rejected rejected = (SendResult.Rejected) outcome.result();
        if (outcome.provider() == null) {
            // every provider's circuit is open: wait for a probe without spending the attempt
            RetryDecision d = decider.retryPolicy().deferUntil(now.plus(chains.get(m.channel()).openWait()),
                    m.deferralCount());
            ErrorInfo error = new ErrorInfo(rejected.error().code(), rejected.error().describe(),
                    ErrorCategory.PROVIDER_UNAVAILABLE);
            attempted(m, outcome, d instanceof RetryDecision.Defer ? Outcome.DEFERRED : Outcome.DEAD_LETTER,
                    error.code(), error.category());
            return d instanceof RetryDecision.Defer defer ? defer(c, error, defer.nextAttemptAt(), startedAt)
                    : deadLetter(c, error, null, 0, Duration.ZERO, startedAt);
        }
        FailureDecider.Decision d = decider.decide(m, rejected.error(), outcome.catalogue(), now);
        int http = rejected.error().httpStatus();
        Outcome kind = switch (d.kind()) {
            case RETRY -> Outcome.RETRY;
            case DEFER -> Outcome.DEFERRED;
            case DEAD_LETTER -> Outcome.DEAD_LETTER;
        };
        attempted(m, outcome, kind, rejected.error().code(),
                d.classification() != null ? d.classification().category() : d.error().category());
        return switch (d.kind()) {
            case RETRY -> AttemptResult.retry(c, outcome.provider(), startedAt, outcome.duration(), d.error(), http,
                    d.nextAttemptAt());
            case DEFER -> {
                deferred(m, d.error().code(), now, d.nextAttemptAt());
                yield AttemptResult.deferred(c, outcome.provider(), startedAt, outcome.duration(), d.error(), http,
                        d.nextAttemptAt(), d.throttleOrgUntil());
            }
            case DEAD_LETTER -> {
                log.warn("Message {} of org {} to {} dead-lettered: {} {}", m.id(), m.orgId(), m.to().masked(),
                        d.error().code(), d.error().category());
                deadLettered(m, outcome.provider(), d.error(), d.fallback() != null);
                yield new AttemptResult(m, c.leaseOwner(), Outcome.DEAD_LETTER,
                        outcome.provider(), startedAt, outcome.duration(), null, d.error(), http, null, true,
                        d.throttleOrgUntil(), d.revokeConsent(), d.fallback(), d.revokedPurpose());
            }
        };
    }

    /**
     * A message Meta's lifecycle holds back: a disabled template's is dead-lettered; a paused
     * template's falls back at once under a rule for template dead letters, as Meta's own "paused"
     * error does, or waits for the pause to end without spending an attempt, as held marketing does.
     */
    private AttemptResult held(ClaimedMessage c, HeldSends.Hold hold, Instant now) {
        if (hold.until() == null || hold.error().category() == ErrorCategory.TEMPLATE
                && decider.fallsBackOn(c.message(), ErrorCategory.TEMPLATE)) {
            return blocked(c, hold.error(), now);
        }
        return defer(c, hold.error(), hold.until(), now);
    }

    private AttemptResult blocked(ClaimedMessage c, ErrorInfo error, Instant now) {
        FailureDecider.Decision d = deadLetterDecision(c, error, now);
        OutboundMessage m = c.message();
        listener.onAttempt(new OutboxListener.Attempted(m.channel(), null, Outcome.BLOCKED, error.code(), error.category(),
                Duration.ZERO, Duration.between(m.nextAttemptAt(), now)));
        deadLettered(m, null, error, d.fallback() != null);
        log.info("Message {} of org {} to {} not sent: {}", c.message().id(), c.message().orgId(),
                c.message().to().masked(), error.code());
        return AttemptResult.blocked(c, now, error, d.fallback());
    }

    private AttemptResult deadLetter(ClaimedMessage c, ErrorInfo error, String provider, int http, Duration took,
            Instant now) {
        FailureDecider.Decision d = deadLetterDecision(c, error, now);
        deadLettered(c.message(), provider, error, d.fallback() != null);
        return new AttemptResult(c.message(), c.leaseOwner(), Outcome.DEAD_LETTER,
                provider, now, took, null, error, http, null, true, d.throttleOrgUntil(), false, d.fallback());
    }

    /** A dead letter decided before any call stays one when the host's fallback rule throws: without fallback. */
    private FailureDecider.Decision deadLetterDecision(ClaimedMessage c, ErrorInfo error, Instant now) {
        try {
            return decider.deadLetter(c.message(), error, false, now);
        } catch (RuntimeException e) {
            log.error("The fallback rules threw for message {} of org {}: dead-lettered without fallback: {}",
                    c.message().id(), c.message().orgId(), SafeText.describe(e));
            return new FailureDecider.Decision(FailureDecider.Kind.DEAD_LETTER, null, error, null, null, false, null);
        }
    }

    private AttemptResult defer(ClaimedMessage c, ErrorInfo error, Instant until, Instant now) {
        RetryDecision d = decider.retryPolicy().deferUntil(until, c.message().deferralCount());
        if (d instanceof RetryDecision.DeadLetter dl) {
            return deadLetter(c, new ErrorInfo(OutboxErrorCodes.DEFERRAL_LIMIT, dl.reason() + " (last: " + error.code()
                    + ")", ErrorCategory.RATE_LIMITED), null, 0, Duration.ZERO, now);
        }
        deferred(c.message(), error.code(), now, until);
        return AttemptResult.deferred(c, null, now, Duration.ZERO, error, 0, until, null);
    }

    /** A provider call's attempt (or every circuit open), told to the listeners once its result is decided. */
    private void attempted(OutboundMessage m, ProviderChain.Outcome outcome, Outcome kind, String errorCode,
            ErrorCategory category) {
        listener.onAttempt(new OutboxListener.Attempted(m.channel(), outcome.provider(), kind, errorCode, category,
                outcome.duration(), Duration.between(m.nextAttemptAt(), clock.instant())));
    }

    private void deferred(OutboundMessage m, String errorCode, Instant now, Instant until) {
        listener.onDeferral(new OutboxListener.Deferred(m.channel(), errorCode, Duration.between(now, until)));
    }

    private void deadLettered(OutboundMessage m, String provider, ErrorInfo error, boolean fallback) {
        listener.onDeadLetter(new OutboxListener.DeadLettered(m.channel(), provider, error.code(), error.category(),
                fallback));
    }
}

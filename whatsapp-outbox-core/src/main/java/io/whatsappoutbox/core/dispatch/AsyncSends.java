package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessage;
import io.micrometer.observation.Observation;
import io.whatsappoutbox.core.internal.OutboxObservations;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimedMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send path of asynchronous chains: paced and within the lease as a synchronous send, bounded
 * by call permits instead of send threads. No thread waits for a pace slot or a provider's answer.
 */
final class AsyncSends {
    private static final Logger log = LoggerFactory.getLogger(AsyncSends.class);

    private final Map<Channel, ProviderChain> chains;
    private final Pacer pacer;
    private final CallPermits calls;
    private final LeaseBudget budget;
    private final Executor executor;
    /** Starts the calls whose pace slot is later; null parks the calling thread instead. */
    private final ScheduledExecutorService pacing;
    private final AttemptOutcomes outcomes;
    private final OutboxObservations observations;
    private final Clock clock;
    /** Starts that came later than their own slot allows (tests look). */
    private final LongAdder lateStarts = new LongAdder();

    AsyncSends(Map<Channel, ProviderChain> chains, Pacer pacer, CallPermits calls, LeaseBudget budget,
            Executor executor, ScheduledExecutorService pacing, AttemptOutcomes outcomes,
            OutboxObservations observations, Clock clock) {
        this.chains = chains;
        this.pacer = pacer;
        this.calls = calls;
        this.budget = budget;
        this.executor = executor;
        this.pacing = pacing;
        this.outcomes = outcomes;
        this.observations = observations;
        this.clock = clock;
    }

    /** Starts that came later than their own slot allows, since the dispatcher started. */
    long lateStarts() {
        return lateStarts.sum();
    }

    /** The call permits (tests look at what is in flight). */
    CallPermits calls() {
        return calls;
    }

    /**
     * Sends a recipient's messages from {@code index} on, each once the one before has its answer,
     * so that they stay in order: the first call starts in this thread, the next from a send thread
     * once the answer came. The answer is decided and handed on in the thread that completed the
     * call (the HTTP client's).
     */
    void sendInTurn(List<ClaimedMessage> group, int index, Instant lastCallStart, SharedPace shared,
            Consumer<AttemptResult> sent) {
        CompletionStage<AttemptResult> result = send(group.get(index), lastCallStart, shared);
        result.whenComplete((r, never) -> {
            sent.accept(r);
            if (index + 1 < group.size()) {
                try {
                    executor.execute(() -> sendInTurn(group, index + 1, lastCallStart, shared, sent));
                } catch (RuntimeException e) {
                    log.error("The send executor refused the rest of a recipient's messages: {} retried unsent: {}",
                            group.size() - index - 1, SafeText.describe(e));
                    for (int i = index + 1; i < group.size(); i++) {
                        sent.accept(outcomes.failed(group.get(i), null, e, clock.instant()));
                    }
                }
            }
        });
    }

    /**
     * One message: its shared position waited for when the store shares pacing, then the sender's
     * slot of this instance reserved and the call started when it comes, from the pacing scheduler;
     * the call's permit returned whatever the outcome. The stage completes with exactly one result,
     * never exceptionally.
     */
    private CompletionStage<AttemptResult> send(ClaimedMessage c, Instant lastCallStart, SharedPace shared) {
        Instant startedAt = clock.instant();
        Instant position;
        try {
            if (!shared.paces(c)) {
                return paced(c, null, shared, lastCallStart, startedAt, false);
            }
            position = shared.next(c, startedAt);
            if (position == null) {
                return CompletableFuture.completedFuture(outcomes.paced(c, startedAt, shared.retryAt(c, startedAt)));
            }
        } catch (RuntimeException | Error e) {
            return CompletableFuture.completedFuture(outcomes.failed(c, null, e, startedAt));
        }
        return after(Duration.between(clock.instant(), position).toNanos(), c, startedAt,
                () -> paced(c, position, shared, lastCallStart, startedAt, false));
    }

    /**
     * The sender's slot of this instance, then the call; a message with a shared position that the
     * wait for the slot would make late is tried again shortly instead. {@code again}: the message
     * already came late to a slot of this instance once.
     */
    private CompletionStage<AttemptResult> paced(ClaimedMessage c, Instant position, SharedPace shared,
            Instant lastCallStart, Instant startedAt, boolean again) {
        long waitNanos;
        Instant callAt;
        try {
            waitNanos = pacer.reserve(c);
            if (waitNanos < 0) {
                return CompletableFuture.completedFuture(outcomes.paced(c, startedAt));
            }
            callAt = clock.instant().plusNanos(waitNanos);
            if (position != null && SharedPace.late(position, callAt)) {
                return CompletableFuture.completedFuture(outcomes.paced(c, startedAt, shared.retryAt(c, callAt)));
            }
        } catch (RuntimeException | Error e) {
            return CompletableFuture.completedFuture(outcomes.failed(c, null, e, startedAt));
        }
        Instant slot = callAt;
        return after(waitNanos, c, startedAt, () -> call(c, position, slot, again, shared, lastCallStart, startedAt));
    }

    /** What {@code next} gives, {@code waitNanos} from now: from the pacing scheduler, no thread waiting. */
    private CompletionStage<AttemptResult> after(long waitNanos, ClaimedMessage c, Instant startedAt,
            Supplier<CompletionStage<AttemptResult>> next) {
        if (waitNanos <= 0) {
            return next.get();
        }
        if (pacing == null) {
            LockSupport.parkNanos(waitNanos);
            return next.get();
        }
        CompletableFuture<AttemptResult> result = new CompletableFuture<>();
        try {
            pacing.schedule(() -> next.get().whenComplete((r, never) -> result.complete(r)), waitNanos,
                    TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            result.complete(outcomes.failed(c, null, e, startedAt));
        }
        return result;
    }

    /**
     * Starts the call of a paced message within its lease and a call permit. A message of this
     * instance's own pace that comes to its start more than {@link SharedPace#LATE} after its slot
     * (the pacing thread was held up, or it waited for a permit) takes a new slot: the starts that
     * came due meanwhile would otherwise go together, more than the pace in a second. Late a second
     * time, it is tried again shortly instead.
     */
    private CompletionStage<AttemptResult> call(ClaimedMessage c, Instant position, Instant slot, boolean again,
            SharedPace shared, Instant lastCallStart, Instant startedAt) {
        try {
            if (position == null && SharedPace.late(slot, clock.instant())) {
                return late(c, shared, lastCallStart, startedAt, again);
            }
            if (!calls.tryAcquire()) {
                // every permit is out: wait for one on a send thread, never on the pacing scheduler's
                CompletableFuture<AttemptResult> waited = new CompletableFuture<>();
                executor.execute(() -> {
                    if (!calls.acquire(lastCallStart)) {
                        waited.complete(outcomes.givenBack(c, clock.instant()));
                        return;
                    }
                    CompletionStage<AttemptResult> next;
                    if (position == null && SharedPace.late(slot, clock.instant())) {
                        // calls let go together as permits come back would put more than the pace into a second
                        calls.release();
                        next = late(c, shared, lastCallStart, startedAt, again);
                    } else {
                        next = permitted(c, position, shared, lastCallStart, startedAt);
                    }
                    next.whenComplete((r, never) -> waited.complete(r));
                });
                return waited;
            }
            return permitted(c, position, shared, lastCallStart, startedAt);
        } catch (RuntimeException | Error e) {
            return CompletableFuture.completedFuture(outcomes.failed(c, null, e, startedAt));
        }
    }

    /** A start late for its own slot: a new slot the first time, tried again shortly the second. */
    private CompletionStage<AttemptResult> late(ClaimedMessage c, SharedPace shared, Instant lastCallStart,
            Instant startedAt, boolean again) {
        lateStarts.increment();
        if (again) {
            return CompletableFuture.completedFuture(outcomes.paced(c, startedAt));
        }
        return paced(c, null, shared, lastCallStart, startedAt, true);
    }

    /**
     * With a call permit taken: the call, unless the lease is too short for it now, or the wait for
     * the permit made it late for its shared position.
     */
    private CompletionStage<AttemptResult> permitted(ClaimedMessage c, Instant position, SharedPace shared,
            Instant lastCallStart, Instant startedAt) {
        OutboundMessage m = c.message();
        CompletionStage<ProviderChain.Outcome> call;
        Observation observed = Observation.NOOP;
        try {
            Instant callAt = clock.instant();
            if (callAt.isAfter(lastCallStart)) {
                calls.release();
                return CompletableFuture.completedFuture(outcomes.givenBack(c, callAt));
            }
            if (position != null && SharedPace.late(position, callAt)) {
                calls.release();
                return CompletableFuture.completedFuture(outcomes.paced(c, startedAt, shared.retryAt(c, callAt)));
            }
            Instant giveUpAt = outcomes.giveUpAt(m);
            if (giveUpAt != null && !callAt.isBefore(giveUpAt)) {
                calls.release();
                return CompletableFuture.completedFuture(outcomes.expired(c, giveUpAt,
                        "its call would start at " + callAt, callAt));
            }
            observed = observations.startSend(m);
            call = OutboxObservations.inScope(observed, () -> chains.get(m.channel()).sendAsync(m));
        } catch (RuntimeException | Error e) {
            calls.release();
            return CompletableFuture.completedFuture(
                    OutboxObservations.stopSend(observed, outcomes.failed(c, null, e, startedAt), e));
        }
        Observation send = observed;
        return call.handle((outcome, thrown) -> {
            calls.release();
            if (thrown != null) {
                return OutboxObservations.stopSend(send, outcomes.failed(c, null, thrown, startedAt), thrown);
            }
            try {
                if (outcome.provider() != null) {
                    budget.observe(outcome.duration());
                    calls.resizeIfDue(pacer, budget);
                }
                return OutboxObservations.stopSend(send, outcomes.decide(c, outcome, startedAt), null);
            } catch (RuntimeException | Error e) {
                return OutboxObservations.stopSend(send, outcomes.failed(c, outcome, e, startedAt), e);
            }
        });
    }
}

package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.internal.DeliveryDecisions;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimShare;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.CompletionReport;
import io.whatsappoutbox.core.testing.InMemoryStore;
import io.whatsappoutbox.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResultWriterTest {
    static final DeliveryDecisions DECISIONS = DeliveryDecisions.defaults();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T09:00:00Z"));
    private final InMemoryStore store = new InMemoryStore(clock).grantEveryone();
    private final List<CompletionReport> reports = new CopyOnWriteArrayList<>();
    private final AtomicInteger released = new AtomicInteger();

    private List<AttemptResult> sentResults(int n) {
        for (int i = 0; i < n; i++) {
            store.enqueue(OutboundMessageRequest.whatsapp("org-1", String.format("+336%08d", i)).text("bonjour").build(),
                    clock.instant());
        }
        List<AttemptResult> results = new ArrayList<>();
        for (ClaimedMessage c : store.claim("owner-1", n, Duration.ofMinutes(1), clock.instant(), ClaimShare.ALL)) {
            results.add(AttemptResult.sent(c, "meta", clock.instant(), Duration.ofMillis(5), "wamid." + c.message().id(), 200));
        }
        return results;
    }

    private ResultWriter writer(int maxBatch) {
        return new ResultWriter(store, DECISIONS, clock, maxBatch, reports::add, released::addAndGet);
    }

    @Test
    void resultsThatArriveDuringAWriteAreWrittenTogetherInTheNext() throws InterruptedException {
        ResultWriter writer = writer(100);
        sentResults(49).forEach(writer::submit);
        writer.stop();
        Thread t = new Thread(writer);
        t.start();
        t.join(10_000);

        assertThat(t.isAlive()).isFalse();
        assertThat(store.completions()).singleElement().satisfies(c -> assertThat(c.results()).hasSize(49));
        assertThat(reports).singleElement().satisfies(r -> assertThat(r.written()).isEqualTo(49));
        assertThat(released.get()).isEqualTo(49);
    }

    @Test
    void aWriteIsNeverLargerThanItsMaximum() throws InterruptedException {
        ResultWriter writer = writer(10);
        sentResults(25).forEach(writer::submit);
        writer.stop();
        Thread t = new Thread(writer);
        t.start();
        t.join(10_000);

        assertThat(store.completions()).extracting(c -> c.results().size()).containsExactly(10, 10, 5);
    }

    private void runUntilStopped(ResultWriter writer) throws InterruptedException {
        writer.stop();
        Thread t = new Thread(writer);
        t.start();
        t.join(20_000);
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void aStoreThatIsAwayIsWaitedForAndNothingIsDeadLettered() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        List<Integer> releasedAtFailure = new CopyOnWriteArrayList<>();
        store.failCompletionsWhile(results -> {
            if (calls.incrementAndGet() <= 3) {
                releasedAtFailure.add(released.get());
                return true;
            }
            return false;
        });
        ResultWriter writer = writer(100);
        List<AttemptResult> results = sentResults(5);
        results.forEach(writer::submit);
        runUntilStopped(writer);

        assertThat(calls.get()).isEqualTo(4);
        assertThat(releasedAtFailure).containsExactly(0, 0, 0);
        assertThat(store.completions()).singleElement().satisfies(c -> assertThat(c.results()).hasSize(5));
        assertThat(released.get()).isEqualTo(5);
        assertThat(store.count(MessageStatus.SENT)).isEqualTo(5);
    }

    @Test
    void aResultTheStoreRefusesCostsOnlyItsOwnMessage() throws InterruptedException {
        List<AttemptResult> results = sentResults(6);
        long poison = results.get(2).messageId();
        store.refuseCompletionsWhile(batch -> batch.stream()
                .anyMatch(r -> r.messageId() == poison && r.outcome() == Outcome.SENT));
        ResultWriter writer = writer(100);
        results.forEach(writer::submit);
        runUntilStopped(writer);

        assertThat(store.message(poison).status()).isEqualTo(MessageStatus.FAILED);
        assertThat(store.message(poison).lastError().code()).isEqualTo(OutboxErrorCodes.UNWRITABLE_RESULT);
        assertThat(store.count(MessageStatus.SENT)).isEqualTo(5);
        assertThat(released.get()).isEqualTo(6);
    }

    @Test
    void aStoreThatRefusesEveryResultIsWaitedForRatherThanEveryMessageDeadLettered() throws InterruptedException {
        AtomicBoolean refusing = new AtomicBoolean(true);
        AtomicInteger refusals = new AtomicInteger();
        store.refuseCompletionsWhile(batch -> {
            if (refusing.get() && refusals.incrementAndGet() >= 12 && batch.size() == 5) {
                refusing.set(false); // the operator fixed the store; the batch is tried whole again
            }
            return refusing.get();
        });
        ResultWriter writer = writer(100);
        sentResults(5).forEach(writer::submit);
        runUntilStopped(writer);

        // each result's dead letter is refused too: nothing is dead-lettered, all are written once fixed
        assertThat(store.count(MessageStatus.SENT)).isEqualTo(5);
        assertThat(store.count(MessageStatus.FAILED)).isZero();
        assertThat(released.get()).isEqualTo(5);
    }
}

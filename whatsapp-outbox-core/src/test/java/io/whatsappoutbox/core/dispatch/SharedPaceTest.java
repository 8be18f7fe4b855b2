package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.TestMessages;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.SendSlots;
import io.whatsappoutbox.core.testing.ForwardingDispatchStore;
import io.whatsappoutbox.core.testing.InMemoryStore;
import io.whatsappoutbox.core.testing.Requests;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a batch's shared send positions are spread over its messages. */
class SharedPaceTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    final Pacer pacer = new Pacer(80, 30, Map.of("333", 10), Duration.ofSeconds(5));
    final Map<String, Integer> asked = new HashMap<>();
    final Map<String, Integer> rates = new HashMap<>();

    /** A store that grants every position asked, from {@code first}. */
    DispatchStore granting(Instant first) {
        return new ForwardingDispatchStore(new InMemoryStore(Clock.fixed(NOW, ZoneOffset.UTC))) {
            @Override
            public Map<String, SendSlots> reserveSendSlots(Map<String, Integer> wanted, Map<String, Integer> perSecond,
                    Duration within, Instant now) {
                asked.putAll(wanted);
                rates.putAll(perSecond);
                Map<String, SendSlots> out = new HashMap<>();
                wanted.forEach((n, count) -> out.put(n, new SendSlots(first, count, perSecond.get(n))));
                return out;
            }
        };
    }

    static ClaimedMessage from(String number, Integer rate, int n) {
        OutboundMessageRequest r = Requests.template("org-1", n);
        return new ClaimedMessage(TestMessages.stored(n, r, MessageStatus.SENDING, NOW), "node-1", ConsentStatus.GRANTED,
                null, number, rate);
    }

    @Test
    void aNumbersMessagesStartOneEveryOneOverItsRate() {
        List<ClaimedMessage> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batch.add(from("111", 20, i));
        }
        batch.add(from("333", null, 9));
        SharedPace pace = SharedPace.reserve(granting(NOW), pacer, batch, Duration.ofSeconds(5), NOW);

        assertThat(asked).isEqualTo(Map.of("111", 4, "333", 1));
        // the stored rate, and the dispatcher's override over the default
        assertThat(rates).isEqualTo(Map.of("111", 20, "333", 10));
        assertThat(List.of(pace.next(batch.get(0), NOW), pace.next(batch.get(1), NOW), pace.next(batch.get(2), NOW),
                pace.next(batch.get(3), NOW))).containsExactly(NOW, NOW.plusMillis(50), NOW.plusMillis(100),
                NOW.plusMillis(150));
        assertThat(pace.next(batch.get(0), NOW)).as("every position handed out").isNull();
        assertThat(pace.next(batch.get(4), NOW)).isEqualTo(NOW);
    }

    @Test
    void positionsAlreadyPastTheLatenessAreNotHandedOut() {
        List<ClaimedMessage> batch = List.of(from("111", 20, 1), from("111", 20, 2), from("111", 20, 3));
        SharedPace pace = SharedPace.reserve(granting(NOW), pacer, batch, Duration.ofSeconds(5), NOW);

        // at +80 ms: the position at 0 is 80 ms late, the one at 50 ms 30 ms late, the one at 100 ms still to come
        assertThat(pace.next(batch.get(0), NOW.plusMillis(80))).isEqualTo(NOW.plusMillis(100));
        assertThat(pace.next(batch.get(1), NOW.plusMillis(80))).isNull();
        assertThat(SharedPace.late(NOW, NOW.plus(SharedPace.LATE))).isFalse();
        assertThat(SharedPace.late(NOW, NOW.plus(SharedPace.LATE).plusNanos(1))).isTrue();
    }

    /** A store that grants {@code count} positions per number from {@code first}, whatever is wanted. */
    DispatchStore grantingOnly(Instant first, int count) {
        return new ForwardingDispatchStore(new InMemoryStore(Clock.fixed(NOW, ZoneOffset.UTC))) {
            @Override
            public Map<String, SendSlots> reserveSendSlots(Map<String, Integer> wanted, Map<String, Integer> perSecond,
                    Duration within, Instant now) {
                Map<String, SendSlots> out = new HashMap<>();
                wanted.forEach((n, w) -> out.put(n, new SendSlots(first, Math.min(w, count), perSecond.get(n))));
                return out;
            }
        };
    }

    @Test
    void messagesLeftWithoutAPositionComeBackAtTheNumbersPaceAfterTheGrantedOnes() {
        List<ClaimedMessage> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(from("111", 20, i));
        }
        // the number is booked until +3 s by other instances; this batch gets 2 of its 5 positions
        Instant first = NOW.plusSeconds(3);
        SharedPace pace = SharedPace.reserve(grantingOnly(first, 2), pacer, batch, Duration.ofSeconds(5), NOW);
        assertThat(pace.next(batch.get(0), NOW)).isEqualTo(first);
        assertThat(pace.next(batch.get(1), NOW)).isEqualTo(first.plusMillis(50));
        assertThat(pace.next(batch.get(2), NOW)).isNull();

        // not a fixed second later, when the positions are still taken, but where they would go on
        assertThat(List.of(pace.retryAt(batch.get(2), NOW), pace.retryAt(batch.get(3), NOW),
                pace.retryAt(batch.get(4), NOW))).containsExactly(first.plusMillis(100), first.plusMillis(150),
                first.plusMillis(200));
    }

    @Test
    void aMessageLeftWithoutAPositionWaitsAtLeastTheShortestRetry() {
        ClaimedMessage m = from("111", 20, 1);
        // every position skipped as late: the grant's end is already behind
        SharedPace pace = SharedPace.reserve(grantingOnly(NOW, 0), pacer, List.of(m), Duration.ofSeconds(5), NOW);
        assertThat(pace.next(m, NOW)).isNull();
        assertThat(pace.retryAt(m, NOW.plusSeconds(1))).isEqualTo(NOW.plusSeconds(1).plus(SharedPace.MIN_RETRY));
        assertThat(SharedPace.NONE.retryAt(m, NOW)).isEqualTo(NOW.plus(SharedPace.MIN_RETRY));
    }

    @Test
    void aStoreThatSharesNoPacingLeavesEveryMessageToThisInstance() {
        DispatchStore own = new ForwardingDispatchStore(new InMemoryStore(Clock.fixed(NOW, ZoneOffset.UTC)));
        ClaimedMessage m = from("111", 20, 1);
        assertThat(SharedPace.reserve(own, pacer, List.of(m), Duration.ofSeconds(5), NOW).paces(m)).isFalse();
    }

    @Test
    void aReservationThatFailsSendsNothingOutsideTheSharedPace() {
        DispatchStore broken = new ForwardingDispatchStore(new InMemoryStore(Clock.fixed(NOW, ZoneOffset.UTC))) {
            @Override
            public Map<String, SendSlots> reserveSendSlots(Map<String, Integer> wanted, Map<String, Integer> perSecond,
                    Duration within, Instant now) {
                throw new IllegalStateException("database down");
            }
        };
        ClaimedMessage m = from("111", 20, 1);
        SharedPace pace = SharedPace.reserve(broken, pacer, List.of(m), Duration.ofSeconds(5), NOW);
        assertThat(pace.paces(m)).isTrue();
        assertThat(pace.next(m, NOW)).isNull();
    }

    @Test
    void aPositionIsItsIndexOverTheRate() {
        SendSlots s = new SendSlots(NOW, 80, 80);
        assertThat(s.position(0)).isEqualTo(NOW);
        assertThat(s.position(1)).isEqualTo(NOW.plusNanos(12_500_000));
        assertThat(s.position(79)).isEqualTo(NOW.plusMillis(987).plusNanos(500_000));
    }
}

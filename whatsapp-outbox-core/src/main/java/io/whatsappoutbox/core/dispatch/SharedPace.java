package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.SendSlots;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send positions a batch got from a store that paces every instance together (one reservation
 * for the batch), handed to its messages in the order they come to be sent. A message starts at its
 * position, never before, and not at all when it would start more than {@link #LATE} after it: it
 * is then tried again shortly, as a message without a position is. Started within that, the
 * messages of one number in any second are at most its rate plus the lateness' share of it. A
 * message left without a position waits for where its number's positions would go on, not a
 * fixed second: claimed again sooner, it would find the positions still taken and go back again.
 */
final class SharedPace {
    private static final Logger log = LoggerFactory.getLogger(SharedPace.class);
    /** How late after its position a message may still start. */
    static final Duration LATE = Duration.ofMillis(25);
    /** The shortest wait of a message left without a position. */
    static final Duration MIN_RETRY = Duration.ofMillis(200);
    /** A store that shares no pacing: every message is paced by this instance's limiters alone. */
    static final SharedPace NONE = new SharedPace(Map.of());

    private final Map<String, Positions> byNumber;

    private SharedPace(Map<String, Positions> byNumber) {
        this.byNumber = byNumber;
    }

    /**
     * Reserves the positions of the batch's WhatsApp numbers, one store call, none later than
     * {@code within}. When the store cannot be reached, those messages get no position: none is
     * sent outside the shared pace.
     */
    static SharedPace reserve(DispatchStore store, Pacer pacer, List<ClaimedMessage> sendable, Duration within,
            Instant now) {
        Map<String, Integer> wanted = new HashMap<>();
        Map<String, Integer> rates = new HashMap<>();
        for (ClaimedMessage c : sendable) {
            String number = Pacer.numberOf(c);
            if (number != null) {
                wanted.merge(number, 1, Integer::sum);
                rates.computeIfAbsent(number, k -> pacer.rate(c));
            }
        }
        if (wanted.isEmpty()) {
            return NONE;
        }
        Map<String, SendSlots> granted;
        try {
            granted = store.reserveSendSlots(wanted, rates, within.isNegative() ? Duration.ZERO : within, now);
        } catch (RuntimeException e) {
            log.warn("Send positions of {} number(s) could not be reserved: their {} message(s) are tried again"
                    + " shortly: {}", wanted.size(), sendable.size(), SafeText.describe(e));
            granted = new HashMap<>();
            for (String number : wanted.keySet()) {
                granted.put(number, new SendSlots(now, 0, rates.get(number)));
            }
        }
        if (granted.isEmpty()) {
            return NONE;
        }
        Map<String, Positions> byNumber = new HashMap<>();
        for (String number : wanted.keySet()) {
            SendSlots s = granted.get(number);
            byNumber.put(number, new Positions(s == null ? new SendSlots(now, 0, rates.get(number)) : s));
        }
        return new SharedPace(byNumber);
    }

    /** True when the message is paced by shared positions (then {@link #next} gives its start). */
    boolean paces(ClaimedMessage c) {
        String number = Pacer.numberOf(c);
        return number != null && byNumber.containsKey(number);
    }

    /**
     * The position the message starts at: the next of its number's not yet handed out, passing
     * over those already more than {@link #LATE} behind {@code now}; null when none is left.
     */
    Instant next(ClaimedMessage c, Instant now) {
        return byNumber.get(Pacer.numberOf(c)).next(now);
    }

    /**
     * When a message of a shared number left without a position (or late for its own) is due again:
     * at the positions after the ones granted, one further position for each such message of the
     * batch, so that they come back at the number's pace; never sooner than {@link #MIN_RETRY}.
     */
    Instant retryAt(ClaimedMessage c, Instant now) {
        Positions p = byNumber.get(Pacer.numberOf(c));
        Instant earliest = now.plus(MIN_RETRY);
        if (p == null) {
            return earliest;
        }
        Instant at = p.slots.position(p.slots.count() + p.left.getAndIncrement());
        return at.isAfter(earliest) ? at : earliest;
    }

    /** True when a message of that position may no longer start at {@code now}. */
    static boolean late(Instant position, Instant now) {
        return now.isAfter(position.plus(LATE));
    }

    private static final class Positions {
        private final SendSlots slots;
        private final AtomicInteger handedOut = new AtomicInteger();
        /** Messages of the batch that got no position, or missed theirs. */
        private final AtomicInteger left = new AtomicInteger();

        Positions(SendSlots slots) {
            this.slots = slots;
        }

        Instant next(Instant now) {
            for (int i = handedOut.getAndIncrement(); i < slots.count(); i = handedOut.getAndIncrement()) {
                Instant at = slots.position(i);
                if (!late(at, now)) {
                    return at;
                }
            }
            return null;
        }
    }
}

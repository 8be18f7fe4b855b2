package io.whatsappoutbox.test.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * What a stub answers to its next requests: the errors scripted for the next ones in order, then
 * the standing answer (accept, or one error for every request), each after an optional delay.
 * Thread-safe: the dispatcher's send threads reach it at once. Internal.
 *
 * @param <E> the provider's error type
 */
public final class Script<E> {
    private final Deque<E> next = new ArrayDeque<>();
    private E always;
    private Duration delay = Duration.ZERO;

    /** The error for this request, or null to accept it. */
    public synchronized E take() {
        E scripted = next.poll();
        return scripted != null ? scripted : always;
    }

    public synchronized void failNext(List<E> errors) {
        errors.forEach(e -> next.add(Objects.requireNonNull(e, "error")));
    }

    public synchronized void failAll(E error) {
        next.clear();
        always = Objects.requireNonNull(error, "error");
    }

    public synchronized void delay(Duration delay) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("delay: must be zero or positive, was " + delay);
        }
        this.delay = delay;
    }

    public synchronized Duration delay() {
        return delay;
    }

    /** Accept every request at once again. */
    public synchronized void reset() {
        next.clear();
        always = null;
        delay = Duration.ZERO;
    }
}

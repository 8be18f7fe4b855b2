package io.whatsappoutbox.test.internal;

import io.whatsappoutbox.core.PhoneNumber;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The sends a stub received, and the assertions and waits a host's test makes on them, the same
 * for every provider's stub. Recipients appear masked in failures. Internal.
 *
 * @param <S> the stub's record of one send
 */
public final class ReceivedSends<S> {
    private final String stub;
    private final Function<S, String> recipient;
    private final Duration timeout;
    private final List<S> sends = new CopyOnWriteArrayList<>();

    /** @param stub how failures name the stub ("the Meta stub") */
    public ReceivedSends(String stub, Function<S, String> recipient, Duration timeout) {
        this.stub = stub;
        this.recipient = recipient;
        this.timeout = timeout;
    }

    public void add(S send) {
        sends.add(send);
    }

    public void clear() {
        sends.clear();
    }

    public List<S> all() {
        return List.copyOf(sends);
    }

    public Optional<S> first(Predicate<S> which) {
        return sends.stream().filter(which).findFirst();
    }

    public List<S> to(String to) {
        String e164 = PhoneNumber.of(to).value();
        return sends.stream().filter(s -> e164.equals(recipient.apply(s))).toList();
    }

    public void assertTo(String to, int expected) {
        List<S> got = to(to);
        if (got.size() != expected) {
            throw new AssertionError("expected " + expected + " send(s) to " + PhoneNumber.mask(to) + " by " + stub
                    + ", got " + got.size() + ": " + got);
        }
    }

    public List<S> awaitTo(String to, int expected) {
        Waits.until(expected + " send(s) to " + PhoneNumber.mask(to) + " by " + stub, timeout,
                () -> to(to).size() >= expected, () -> to(to).toString());
        assertTo(to, expected);
        return to(to);
    }

    public List<S> awaitAll(int expected) {
        Waits.until(expected + " send(s) by " + stub, timeout, () -> sends.size() >= expected, sends::toString);
        if (sends.size() != expected) {
            throw new AssertionError("expected " + expected + " send(s) by " + stub + ", got " + sends.size() + ": "
                    + sends);
        }
        return all();
    }
}

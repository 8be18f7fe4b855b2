package io.whatsappoutbox.test.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds: background work (the dispatcher) is waited for, never slept
 * for. The timeout is a safety net, not what a test measures. Internal.
 */
public final class Waits {
    private static final long POLL_MILLIS = 10;

    private Waits() {}

    /**
     * Waits for {@code done}; on timeout fails with {@code what} and {@code state}, the last thing
     * seen, so that the failure says what happened instead.
     */
    public static void until(String what, Duration timeout, BooleanSupplier done, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what
                        + (state == null ? "" : "; last seen: " + state.get()));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }
}

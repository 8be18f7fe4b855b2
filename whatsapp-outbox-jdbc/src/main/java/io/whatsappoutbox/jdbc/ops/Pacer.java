package io.whatsappoutbox.jdbc.ops;

import java.time.Duration;

/** Waits between the batches of a bulk change; tests pass one that records instead of sleeping. */
@FunctionalInterface
public interface Pacer {
    void pause(Duration duration) throws InterruptedException;

    /** {@link Thread#sleep}. */
    static Pacer sleeping() {
        return d -> {
            if (!d.isZero()) {
                Thread.sleep(d.toMillis());
            }
        };
    }
}

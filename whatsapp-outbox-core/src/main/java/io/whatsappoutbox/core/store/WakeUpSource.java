package io.whatsappoutbox.core.store;

/**
 * Tells an idle dispatcher that messages were enqueued, so it claims them in milliseconds rather
 * than at its next poll. The PostgreSQL store implements it with LISTEN/NOTIFY; polling stays the
 * safety net, so a lost notification only costs latency.
 */
@FunctionalInterface
public interface WakeUpSource {

    /** Calls {@code onWakeUp} (from any thread) when there may be new work, until closed. */
    AutoCloseable subscribe(Runnable onWakeUp);
}

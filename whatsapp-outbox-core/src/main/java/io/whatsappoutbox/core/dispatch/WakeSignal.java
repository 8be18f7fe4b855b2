package io.whatsappoutbox.core.dispatch;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Wakes every waiting claim thread (an enqueue, a written batch, the close). A signal that comes
 * while a thread is claiming is not lost: the thread waits only if nothing came since it last looked.
 */
final class WakeSignal {
    private long count;

    synchronized long count() {
        return count;
    }

    synchronized void fire() {
        count++;
        notifyAll();
    }

    synchronized void awaitAfter(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count == seen) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            wait(left);
        }
    }
}

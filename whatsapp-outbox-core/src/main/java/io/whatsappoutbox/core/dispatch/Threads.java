package io.whatsappoutbox.core.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** The dispatcher's threads: daemons, named, and waited for without throwing. */
final class Threads {
    private Threads() {}

    /** Starts {@code count} daemon threads named {@code name-1, name-2...}, the i-th (from 0) running {@code task.apply(i)}. */
    static List<Thread> start(int count, String name, IntFunction<Runnable> task) {
        ThreadFactory factory = daemons(name);
        List<Thread> started = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Thread t = factory.newThread(task.apply(i));
            started.add(t);
            t.start();
        }
        return started;
    }

    static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static void joinQuietly(Thread t, Duration timeout) {
        if (t == null) {
            return;
        }
        try {
            t.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets the tasks running finish within {@code timeout}, then interrupts them. */
    static void shutdown(ExecutorService executor, Duration timeout) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}

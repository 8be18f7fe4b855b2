package io.whatsappoutbox.examples.reliability;

import io.whatsappoutbox.core.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The threads alive before a component was built, to find the ones it left behind once closed.
 * Threads of JVM-wide pools (OkHttp's shared task runner, which takes the name of the task it runs,
 * such as "OkHttp ConnectionPool connection closer"; Okio's timeout watchdog; the common
 * fork-join pool), of JUnit, and of what the test built before the census (WireMock's Jetty, the
 * test database's pool) are not the component's. Nor are the demo server's: the shared demo host
 * other test classes keep up for the whole JVM starts its pool's threads lazily, on its own requests.
 */
final class ThreadCensus {
    private static final List<String> NOT_THE_COMPONENTS = List.of("OkHttp TaskRunner", "OkHttp ConnectionPool", "Okio Watchdog",
            "ForkJoinPool.commonPool", "Common-Cleaner", "process reaper", "Attach Listener", "qtp",
            "Connector-Scheduler", "HikariPool", "demo-http", "outbox_test_", "surefire", "junit-jupiter-timeout-watcher", "jqwik",
            "Reference Handler", "Finalizer", "Signal Dispatcher");

    private final Set<Thread> before;
    private final int countBefore;

    private ThreadCensus(Set<Thread> before) {
        this.before = before;
        this.countBefore = before.size();
    }

    static ThreadCensus take() {
        return new ThreadCensus(Set.copyOf(Thread.getAllStackTraces().keySet()));
    }

    int countBefore() {
        return countBefore;
    }

    /** Alive threads that did not exist at the census and belong to no JVM-wide or pre-existing pool. */
    List<String> newThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> !before.contains(t))
                .map(Thread::getName)
                .filter(name -> NOT_THE_COMPONENTS.stream().noneMatch(name::startsWith))
                .sorted()
                .collect(Collectors.toList());
    }

    /** Waits for the closed component's threads to end; returns the ones still alive after the wait. */
    List<String> leftAfterClose(Duration wait) {
        try {
            Eventually.await("threads to end", wait, () -> newThreads().isEmpty());
        } catch (AssertionError e) {
            // reported by the caller with the names
        }
        return newThreads();
    }
}

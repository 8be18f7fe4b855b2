package io.whatsappoutbox.spring;

import io.whatsappoutbox.core.dispatch.Dispatcher;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the dispatcher once the context is refreshed and stops it first at shutdown (before the
 * web server and the DataSource): no new claim, the sends in flight finish and their results are
 * written within the stop budget ({@code whatsapp.outbox.dispatcher.stop-budget}).
 */
final class DispatcherLifecycle implements SmartLifecycle {
    private final Dispatcher dispatcher;
    private volatile boolean running;

    DispatcherLifecycle(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public void start() {
        dispatcher.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        dispatcher.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stopped before the web server (graceful shutdown runs at a lower phase) and the pool
        return SmartLifecycle.DEFAULT_PHASE;
    }
}

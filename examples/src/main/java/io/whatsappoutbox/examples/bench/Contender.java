package io.whatsappoutbox.examples.bench;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One system under test: it installs its tables in a fresh database, enqueues messages in host
 * transactions, and consumes them with a no-op "provider call" reported to a {@link Probe}.
 */
interface Contender {

    /** A short name for the table ({@code floor/200}, {@code library}, ...). */
    String name();

    /** How it is configured, one line. */
    String settings();

    /** Whether it has the outbound_message schema (claim index, bloat figures). */
    default boolean outboxSchema() {
        return true;
    }

    /** Creates its tables and, untimed, the reference rows {@code messages} messages need (consents...). */
    void install(DataSource ds, int messages) throws Exception;

    /** Binds the enqueue path to the pool of the phase that starts (the previous one is closed). */
    default void attach(DataSource ds) throws Exception {}

    /** Enqueues messages {@code [from, from + count)} in one host transaction on {@code c} and commits. */
    void enqueue(Connection c, long from, int count) throws Exception;

    /** Starts consuming; stops when the returned handle is closed. */
    Consumer start(DataSource ds, Probe probe) throws Exception;

    /** Messages not finished yet (still queued or in flight), read on {@code c}. */
    long unfinished(Connection c) throws SQLException;

    /** A running consumer. */
    @FunctionalInterface
    interface Consumer {
        /** Stops consuming and waits for the work in flight. */
        void stop() throws Exception;
    }
}

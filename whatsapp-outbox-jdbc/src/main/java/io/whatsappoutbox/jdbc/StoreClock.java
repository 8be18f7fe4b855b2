package io.whatsappoutbox.jdbc;

/**
 * Where the store reads the time for leases: when a claim's lease ends, and whether a lease has
 * expired for its recovery. One clock for every instance, the database's, means that an instance
 * whose own clock is ahead cannot take another instance's live lease, nor one behind give its
 * claims longer leases.
 */
public enum StoreClock {
    /** The database's {@code now()}: the default. */
    DATABASE,
    /**
     * The instant each store call is given, which is the dispatcher's {@code Clock}: for tests
     * that move time by hand. A skewed instance then shifts every lease it writes or checks.
     */
    CALLER
}

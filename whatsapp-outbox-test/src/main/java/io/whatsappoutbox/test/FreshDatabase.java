package io.whatsappoutbox.test;

/** How often the kit gives the test a new, freshly migrated database. */
public enum FreshDatabase {
    /** One database for every test of the class (register the kit in a {@code static} field). */
    PER_CLASS,
    /** A new database before each test, dropped after it. */
    PER_TEST
}

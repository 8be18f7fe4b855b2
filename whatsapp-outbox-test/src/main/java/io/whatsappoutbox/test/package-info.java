/**
 * A JUnit 5 test kit for hosts of the outbox: {@link io.whatsappoutbox.test.OutboxTestKit} gives a
 * test an embedded PostgreSQL migrated with the outbox schema, a Meta Cloud API stub and a Twilio
 * stub answering with the real payload shapes, the signed receipts those providers would send, and
 * assertions that wait for the dispatcher without fixed sleeps. Add the artifact with test scope.
 */
package io.whatsappoutbox.test;

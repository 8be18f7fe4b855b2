/**
 * The store SPI: what the dispatcher and the webhook processor need from a store (claims, results,
 * quotas, receipts), for those who write a store. A host never calls these types; it uses its
 * store's own entry point ({@code JdbcOutbox}) and the dispatcher.
 */
package io.whatsappoutbox.core.store;

/**
 * Meta WhatsApp Cloud API for the outbox: {@link io.whatsappoutbox.meta.MetaCloudProvider} sends,
 * {@link io.whatsappoutbox.meta.MetaWebhookHandler} receives delivery receipts and inbound messages.
 */
package io.whatsappoutbox.meta;

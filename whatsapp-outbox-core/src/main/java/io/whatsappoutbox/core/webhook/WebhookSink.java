package io.whatsappoutbox.core.webhook;

/**
 * Where webhook handlers hand a verified, fully parsed batch. The core's implementation applies it
 * through the store in one transaction: receipts forward only, failed receipts through the retry
 * decision, inbound messages to the session window and consent.
 */
@FunctionalInterface
public interface WebhookSink {
    WebhookResult accept(WebhookBatch batch);
}

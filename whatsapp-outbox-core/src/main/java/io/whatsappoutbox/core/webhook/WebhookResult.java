package io.whatsappoutbox.core.webhook;

/**
 * What applying a webhook batch did.
 *
 * @param applied receipts and inbound messages that changed something
 * @param duplicates items seen before, ignored
 * @param ignored receipts that would not move their message forward (late or out of order)
 * @param pending receipts for a message id not known yet (the provider's answer is still being
 *     written): kept and applied when it is
 */
public record WebhookResult(int applied, int duplicates, int ignored, int pending) {
    public static final WebhookResult EMPTY = new WebhookResult(0, 0, 0, 0);
}

package io.whatsappoutbox.meta.internal;

/**
 * A verified webhook body that cannot be applied as a whole. Its message names the JSON path and
 * what is wrong there, never a value from the body (which may be a customer's text). Internal.
 */
public final class WebhookPayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    public WebhookPayloadException(String problem) {
        super(problem, null, false, false);
    }
}

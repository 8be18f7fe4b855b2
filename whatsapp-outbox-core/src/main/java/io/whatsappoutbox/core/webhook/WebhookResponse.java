package io.whatsappoutbox.core.webhook;

/** The answer a host's HTTP stack writes back. */
public record WebhookResponse(int status, String contentType, String body) {

    public static WebhookResponse text(int status, String body) {
        return new WebhookResponse(status, "text/plain; charset=utf-8", body);
    }

    public static WebhookResponse json(int status, String body) {
        return new WebhookResponse(status, "application/json", body);
    }
}

package io.whatsappoutbox.test;

import io.whatsappoutbox.core.webhook.WebhookRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A webhook call as the provider would make it: the URL it calls (Twilio signs it; Meta does not),
 * the headers (content type and signature) and the raw body. Hand it to the library's handler with
 * {@link #request()}, or to the host's own endpoint with {@link #postTo}.
 */
public record SignedWebhook(String url, Map<String, String> headers, String body) {
    public SignedWebhook {
        Objects.requireNonNull(url, "url");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    /** The raw body, the bytes the signature covers. */
    public byte[] bodyBytes() {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** The call as the library's webhook handlers take it ({@code MetaWebhookHandler}, {@code TwilioStatusCallbackHandler}). */
    public WebhookRequest request() {
        Map<String, List<String>> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k, List.of(v)));
        return new WebhookRequest("POST", url, Map.of(), h, bodyBytes());
    }

    /** The same body with one character changed and the signature kept: a forged call. */
    public SignedWebhook tampered() {
        int i = body.length() / 2;
        char changed = body.charAt(i) == 'x' ? 'y' : 'x';
        return new SignedWebhook(url, headers, body.substring(0, i) + changed + body.substring(i + 1));
    }

    /**
     * POSTs the call to {@code endpoint} (the host's webhook endpoint under test) and returns the
     * HTTP status it answered. The signature stays the one computed for {@link #url()}.
     */
    public int postTo(URI endpoint) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bodyBytes()));
        headers.forEach(b::header);
        try {
            return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot POST the webhook to " + endpoint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted posting the webhook to " + endpoint, e);
        }
    }

    /** Headers and size only: the body holds phone numbers, the headers a signature. */
    @Override
    public String toString() {
        return "SignedWebhook[url=" + url + ", headers=" + headers.keySet() + ", body=" + body.length() + " chars]";
    }
}

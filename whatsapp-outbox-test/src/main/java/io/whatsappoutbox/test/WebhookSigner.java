package io.whatsappoutbox.test;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Hmac;
import io.whatsappoutbox.sms.internal.FormParam;
import io.whatsappoutbox.sms.internal.TwilioSignature;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Signs webhook bodies the way the providers do, with the library's own algorithms (the ones its
 * verifiers check): Meta's {@code X-Hub-Signature-256} and Twilio's {@code X-Twilio-Signature}.
 */
public final class WebhookSigner {
    public static final String META_HEADER = "X-Hub-Signature-256";
    public static final String TWILIO_HEADER = "X-Twilio-Signature";
    /** The URL of a Meta webhook built by the kit; Meta does not sign it, any will do. */
    public static final String META_WEBHOOK_URL = "https://host.example/webhooks/meta";

    private WebhookSigner() {}

    /** {@code sha256=} and the hex HMAC-SHA256 of the raw body under the app secret. */
    public static String metaSignature(Secret appSecret, byte[] body) {
        Objects.requireNonNull(appSecret, "appSecret");
        return "sha256=" + Hmac.sha256Hex(appSecret.bytes(), Objects.requireNonNull(body, "body"));
    }

    /**
     * Base64 HMAC-SHA1 under the auth token of the URL followed by every parameter's name and value,
     * sorted by name.
     */
    public static String twilioSignature(Secret authToken, String url, Map<String, String> params) {
        Objects.requireNonNull(authToken, "authToken");
        Objects.requireNonNull(url, "url");
        List<FormParam> form = new ArrayList<>();
        params.forEach((k, v) -> form.add(new FormParam(k, v)));
        return TwilioSignature.compute(authToken, url, form);
    }

    /** A Meta webhook call carrying {@code json}, signed with {@code appSecret}. */
    public static SignedWebhook meta(Secret appSecret, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return new SignedWebhook(META_WEBHOOK_URL, Map.of("Content-Type", "application/json",
                META_HEADER, metaSignature(appSecret, body)), json);
    }

    /** A Twilio callback to {@code url} carrying {@code params} form-encoded, signed with {@code authToken}. */
    public static SignedWebhook twilio(Secret authToken, String url, Map<String, String> params) {
        StringBuilder body = new StringBuilder();
        params.forEach((k, v) -> {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        return new SignedWebhook(url, Map.of("Content-Type", "application/x-www-form-urlencoded",
                TWILIO_HEADER, twilioSignature(authToken, url, params)), body.toString());
    }
}

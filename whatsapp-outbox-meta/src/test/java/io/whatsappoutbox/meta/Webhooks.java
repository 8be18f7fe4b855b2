package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Hmac;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookSink;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Meta webhook payloads in the shapes of Meta's reference, and signed requests carrying them. */
final class Webhooks {
    static final Secret APP_SECRET = Secret.of("app-secret-0123456789abcdef");
    static final String PHONE_ID_1 = TestAccounts.ORG_1.phoneNumberId();
    static final String PHONE_ID_2 = TestAccounts.ORG_2.phoneNumberId();
    static final String WAMID = "wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";
    static final String IN_WAMID = "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=";

    static final Secret VERIFY_TOKEN = Secret.of("verify-token-42");
    static final Instant T0 = Instant.parse("2025-06-09T10:00:00Z");

    private Webhooks() {}

    /** A handler with one shared app secret, the standard accounts and the given sink. */
    static MetaWebhookHandler.Builder handler(WebhookSink sink) {
        return MetaWebhookHandler.builder().verifyToken(VERIFY_TOKEN).secrets(WebhookSecrets.shared(APP_SECRET))
                .accounts(TestAccounts.standard()).sink(sink).clock(Clock.fixed(T0, ZoneOffset.UTC));
    }

    static String signature(Secret secret, byte[] body) {
        return "sha256=" + Hmac.sha256Hex(secret.bytes(), body);
    }

    static WebhookRequest post(byte[] body, String signatureHeader) {
        Map<String, List<String>> headers = signatureHeader == null
                ? Map.of("Content-Type", List.of("application/json"))
                : Map.of("Content-Type", List.of("application/json"), "x-hub-signature-256", List.of(signatureHeader));
        return new WebhookRequest("POST", "https://host.example/webhooks/meta", Map.of(), headers, body);
    }

    static WebhookRequest signed(Secret secret, byte[] body) {
        return post(body, signature(secret, body));
    }

    static WebhookRequest signed(String json) {
        return signed(APP_SECRET, json.getBytes(StandardCharsets.UTF_8));
    }

    static WebhookRequest signed(Secret secret, String json) {
        return signed(secret, json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"object":"whatsapp_business_account","entry":[...]}} around entries. */
    static String envelope(String... entries) {
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[" + String.join(",", entries) + "]}";
    }

    static String entry(String wabaId, String... changes) {
        return "{\"id\":\"" + wabaId + "\",\"changes\":[" + String.join(",", changes) + "]}";
    }

    /** A {@code field: messages} change for a business phone number id, with a value body. */
    static String change(String phoneNumberId, String valueFields) {
        return "{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550783881\","
                + "\"phone_number_id\":\"" + phoneNumberId + "\"}" + (valueFields.isEmpty() ? "" : "," + valueFields)
                + "},\"field\":\"messages\"}";
    }

    static String statuses(String... statuses) {
        return "\"statuses\":[" + String.join(",", statuses) + "]";
    }

    static String status(String id, String status, String timestamp) {
        return "{\"id\":\"" + id + "\",\"status\":\"" + status + "\",\"timestamp\":\"" + timestamp
                + "\",\"recipient_id\":\"33612345678\",\"conversation\":{\"id\":\"c0ffee\",\"origin\":{\"type\":\"utility\"}},"
                + "\"pricing\":{\"billable\":true,\"pricing_model\":\"PMP\",\"category\":\"utility\"}}";
    }

    static String failedStatus(String id, String timestamp, int code, String title, String details) {
        return "{\"id\":\"" + id + "\",\"status\":\"failed\",\"timestamp\":\"" + timestamp
                + "\",\"recipient_id\":\"33612345678\",\"errors\":[{\"code\":" + code + ",\"title\":\"" + title
                + "\",\"message\":\"" + title + "\",\"error_data\":{\"details\":\"" + details + "\"},"
                + "\"href\":\"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/\"}]}";
    }

    static String messages(String contactWaId, String... messages) {
        return "\"contacts\":[{\"profile\":{\"name\":\"Jeanne\"},\"wa_id\":\"" + contactWaId + "\"}],"
                + "\"messages\":[" + String.join(",", messages) + "]";
    }

    static String textMessage(String from, String id, String timestamp, String bodyJsonEscaped) {
        return "{\"from\":\"" + from + "\",\"id\":\"" + id + "\",\"timestamp\":\"" + timestamp
                + "\",\"type\":\"text\",\"text\":{\"body\":\"" + bodyJsonEscaped + "\"}}";
    }

    /** Statuses for one phone number id, n of them, split over entries of 10 changes of 10 statuses. */
    static String manyStatuses(int n) {
        List<String> changes = IntStream.range(0, n / 10)
                .mapToObj(c -> change(PHONE_ID_1, statuses(IntStream.range(0, 10)
                        .mapToObj(s -> status("wamid.bulk-" + (c * 10 + s), "delivered", "1749416383"))
                        .toArray(String[]::new))))
                .collect(Collectors.toList());
        List<String> entries = IntStream.range(0, (changes.size() + 9) / 10)
                .mapToObj(e -> entry("102290129340398",
                        changes.subList(e * 10, Math.min(changes.size(), e * 10 + 10)).toArray(String[]::new)))
                .collect(Collectors.toList());
        return envelope(entries.toArray(String[]::new));
    }
}

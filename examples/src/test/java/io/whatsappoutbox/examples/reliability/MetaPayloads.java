package io.whatsappoutbox.examples.reliability;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Hmac;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Meta webhook payloads in the shapes of Meta's reference, and requests carrying them. */
final class MetaPayloads {
    static final String WABA_ID = "102290129340398";

    private MetaPayloads() {}

    static String envelope(String... entries) {
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[" + String.join(",", entries) + "]}";
    }

    static String entry(String... changes) {
        return "{\"id\":\"" + WABA_ID + "\",\"changes\":[" + String.join(",", changes) + "]}";
    }

    /** A {@code field: messages} change for a business phone number id. */
    static String change(String phoneNumberId, String valueFields) {
        return "{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550783881\","
                + "\"phone_number_id\":\"" + phoneNumberId + "\"}," + valueFields + "},\"field\":\"messages\"}";
    }

    static String statuses(List<String> statuses) {
        return "\"statuses\":[" + String.join(",", statuses) + "]";
    }

    /** A status as Meta sends it: sent and delivered carry conversation and pricing, read does not. */
    static String status(String wamid, String status, long epochSeconds, String recipientDigits) {
        String pricing = status.equals("read") ? "" : ",\"conversation\":{\"id\":\"c0ffee" + wamid.hashCode()
                + "\",\"origin\":{\"type\":\"utility\"}},\"pricing\":{\"billable\":true,\"pricing_model\":\"PMP\","
                + "\"category\":\"utility\"}";
        return "{\"id\":\"" + wamid + "\",\"status\":\"" + status + "\",\"timestamp\":\"" + epochSeconds
                + "\",\"recipient_id\":\"" + recipientDigits + "\"" + pricing + "}";
    }

    static String failedStatus(String wamid, long epochSeconds, String recipientDigits, int code, String title) {
        return "{\"id\":\"" + wamid + "\",\"status\":\"failed\",\"timestamp\":\"" + epochSeconds
                + "\",\"recipient_id\":\"" + recipientDigits + "\",\"errors\":[{\"code\":" + code + ",\"title\":\""
                + title + "\",\"message\":\"" + title + "\",\"error_data\":{\"details\":\"" + title + "\"}}]}";
    }

    static String messages(String fromDigits, String wamid, long epochSeconds, String text) {
        return "\"contacts\":[{\"profile\":{\"name\":\"Jeanne\"},\"wa_id\":\"" + fromDigits + "\"}],"
                + "\"messages\":[{\"from\":\"" + fromDigits + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + epochSeconds
                + "\",\"type\":\"text\",\"text\":{\"body\":\"" + text + "\"}}]";
    }

    static String signature(Secret secret, byte[] body) {
        return "sha256=" + Hmac.sha256Hex(secret.bytes(), body);
    }

    static WebhookRequest post(byte[] body, String signatureHeader, String contentType) {
        Map<String, List<String>> headers = signatureHeader == null
                ? Map.of("Content-Type", List.of(contentType))
                : Map.of("Content-Type", List.of(contentType), "X-Hub-Signature-256", List.of(signatureHeader));
        return new WebhookRequest("POST", "https://host.example/webhooks/whatsapp", Map.of(), headers, body);
    }

    static WebhookRequest signed(Secret secret, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return post(body, signature(secret, body), "application/json");
    }
}

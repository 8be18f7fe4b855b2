package io.whatsappoutbox.meta.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import java.time.Instant;
import java.util.Optional;

/**
 * The items of a {@code messages} change, once routed to their org: a status as a delivery receipt,
 * a message as an inbound message. A malformed item throws (the whole body is refused).
 */
final class MessageChanges {
    private MessageChanges() {}

    /** A status's receipt for the org it was routed to, or null for a word that is no delivery outcome. */
    static DeliveryReceipt receipt(JsonNode s, String path, String orgId) throws WebhookPayloadException {
        String id = WebhookNodes.requiredText(s, "id", path + ".id");
        String word = WebhookNodes.requiredText(s, "status", path + ".status");
        Instant at = WebhookNodes.timestamp(s, path + ".timestamp");
        Optional<DeliveryStatus> status = DeliveryStatus.fromProviderWord(word);
        if (status.isEmpty()) {
            return null; // a word that is no delivery outcome
        }
        ProviderError error = null;
        if (status.get() == DeliveryStatus.FAILED) {
            error = failure(s.path("errors").path(0));
        }
        // the org the signed change was routed to: its receipts can only touch its own messages
        return new DeliveryReceipt(Channel.WHATSAPP, id, status.get(), at, error, orgId, pricing(s));
    }

    /** Meta's {@code pricing} and {@code conversation} of a status; null when it has neither. */
    private static DeliveryReceipt.Pricing pricing(JsonNode s) {
        JsonNode p = s.path("pricing");
        JsonNode c = s.path("conversation");
        if (!p.isObject() && !c.isObject()) {
            return null;
        }
        JsonNode billable = p.get("billable");
        return new DeliveryReceipt.Pricing(billable != null && billable.isBoolean() ? billable.booleanValue() : null,
                idText(p, "pricing_model"), idText(p, "category"), idText(p, "type"), idText(c, "id"),
                idText(c.path("origin"), "type"), LifecycleChanges.instant(c.get("expiration_timestamp")));
    }

    private static String idText(JsonNode node, String field) {
        String t = MetaJson.scalar(node, field);
        return t == null || t.isBlank() ? null : SafeText.id(t);
    }

    private static ProviderError failure(JsonNode e) {
        if (!e.isObject()) {
            return null;
        }
        String code = MetaJson.scalar(e, "code");
        String title = MetaJson.text(e, "title");
        String message = title != null && !title.isBlank() ? title : MetaJson.text(e, "message");
        String details = MetaJson.text(e.path("error_data"), "details");
        // stored as the message's error and shown to operators: a number Meta quotes is masked
        return new ProviderError(code == null || code.isBlank() ? "UNKNOWN" : SafeText.clean(code), 0,
                SafeText.forError(message), SafeText.forError(details), null, null);
    }

    /** An inbound message of the org, or null when it carries no phone number to key it on. */
    static InboundMessage inbound(JsonNode m, String path, String orgId, String profileName)
            throws WebhookPayloadException {
        String id = WebhookNodes.requiredText(m, "id", path + ".id");
        String type = WebhookNodes.requiredText(m, "type", path + ".type");
        Instant at = WebhookNodes.timestamp(m, path + ".timestamp");
        JsonNode fromNode = m.get("from");
        if (fromNode == null || fromNode.isNull()) {
            // a user known by a business-scoped user id only: nothing to key the message on
            return null;
        }
        if (!fromNode.isTextual()) {
            throw new WebhookPayloadException(path + ".from is not a string");
        }
        PhoneNumber from;
        try {
            from = PhoneNumber.fromProvider(fromNode.asText().strip());
        } catch (InvalidInputException e) {
            throw new WebhookPayloadException(path + ".from is not a valid phone number");
        }
        // an edit carries the new message inside it; the rest reads the same
        JsonNode edit = m.path("edit").isObject() ? m.path("edit") : m.path("edited");
        JsonNode content = edit.path("message").isObject() ? edit.path("message") : m;
        JsonNode interactive = content.path("interactive");
        String text = WebhookNodes.first(MetaJson.text(content.path("text"), "body"),
                MetaJson.text(interactive.path("button_reply"), "title"),
                MetaJson.text(interactive.path("list_reply"), "title"),
                MetaJson.text(content.path("button"), "text"));
        String payload = WebhookNodes.first(MetaJson.text(interactive.path("button_reply"), "id"),
                MetaJson.text(interactive.path("list_reply"), "id"),
                MetaJson.text(content.path("button"), "payload"));
        String context = WebhookNodes.first(MetaJson.text(m.path("context"), "id"), MetaJson.text(content.path("context"), "id"));
        InboundMessage.Details details = InboundDetails.of(m, content, edit, profileName);
        return new InboundMessage(orgId, Channel.WHATSAPP, from, id, type, text, payload, context, at, details);
    }
}

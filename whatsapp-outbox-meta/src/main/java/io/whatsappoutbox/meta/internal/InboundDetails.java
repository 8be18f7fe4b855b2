package io.whatsappoutbox.meta.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.webhook.InboundMessage;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a Meta inbound message carries beyond its text (Meta's messages webhook reference: media,
 * location, contacts, reaction, interactive, order, edit, revoke), read leniently: a part that is
 * missing or of another shape is null, never an error. Internal.
 */
final class InboundDetails {
    private static final Set<String> MEDIA = Set.of("image", "video", "audio", "document", "sticker");

    private InboundDetails() {}

    /** {@code value.contacts[]}: each sender's profile name by {@code wa_id}. */
    static Map<String, String> profileNames(JsonNode contacts) {
        Map<String, String> names = new HashMap<>();
        if (contacts.isArray()) {
            for (JsonNode c : contacts) {
                String waId = MetaJson.scalar(c, "wa_id");
                String name = MetaJson.text(c.path("profile"), "name");
                if (waId != null && name != null) {
                    names.put(waId.strip().replace("+", ""), name);
                }
            }
        }
        return names;
    }

    /**
     * @param m the message
     * @param content the message itself, or the new message an edit carries
     * @param edit the {@code edit} object, or a missing node
     */
    static InboundMessage.Details of(JsonNode m, JsonNode content, JsonNode edit, String profileName) {
        String type = MetaJson.text(content, "type");
        JsonNode media = type != null && MEDIA.contains(type) ? content.path(type) : null;
        if (media == null) {
            // an edit's inner message may name no type: take the first media part it holds
            for (String t : MEDIA) {
                if (content.path(t).isObject()) {
                    media = content.path(t);
                    break;
                }
            }
        }
        JsonNode location = content.path("location");
        JsonNode contacts = content.path("contacts");
        JsonNode reaction = m.path("reaction");
        JsonNode order = content.path("order");
        JsonNode items = order.path("product_items");
        return new InboundMessage.Details(profileName,
                media == null ? null : MetaJson.text(media, "id"),
                media == null ? null : MetaJson.text(media, "mime_type"),
                media == null ? null : MetaJson.text(media, "caption"),
                media == null ? null : MetaJson.text(media, "filename"),
                number(location, "latitude"), number(location, "longitude"),
                MetaJson.text(location, "name"), MetaJson.text(location, "address"),
                contacts.isArray() && !contacts.isEmpty() ? contacts.toString() : null,
                MetaJson.text(reaction, "emoji"), MetaJson.text(reaction, "message_id"),
                MetaJson.text(content.path("interactive").path("list_reply"), "description"),
                MetaJson.text(order, "catalog_id"), items.isArray() ? items.toString() : null,
                MetaJson.text(edit, "original_message_id"),
                MetaJson.text(m.path("revoke"), "original_message_id"));
    }

    private static Double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null) {
            return null;
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            try {
                return Double.valueOf(v.asText().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}

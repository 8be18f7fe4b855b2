package io.whatsappoutbox.jdbc.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.webhook.InboundMessage;

/**
 * An inbound message's details as the JSON object of {@code message.details} (V6): only the parts
 * present, in Meta's words; the profile name has a column of its own. Internal.
 */
final class InboundDetailsJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private InboundDetailsJson() {}

    /** The JSON text, or null when the message carries nothing beyond its profile name. */
    static String of(InboundMessage.Details d) {
        ObjectNode o = MAPPER.createObjectNode();
        put(o, "media_id", d.mediaId());
        put(o, "mime_type", d.mimeType());
        put(o, "caption", d.caption());
        put(o, "filename", d.filename());
        if (d.latitude() != null) {
            o.put("latitude", d.latitude());
        }
        if (d.longitude() != null) {
            o.put("longitude", d.longitude());
        }
        put(o, "location_name", d.locationName());
        put(o, "location_address", d.locationAddress());
        put(o, "contacts", d.contactsJson());
        put(o, "reaction_emoji", d.reactionEmoji());
        put(o, "reacted_message_id", d.reactedMessageId());
        put(o, "reply_description", d.replyDescription());
        put(o, "order_catalog_id", d.orderCatalogId());
        put(o, "order_items", d.orderItemsJson());
        put(o, "edited_message_id", d.editedMessageId());
        put(o, "revoked_message_id", d.revokedMessageId());
        return o.isEmpty() ? null : o.toString();
    }

    private static void put(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }
}

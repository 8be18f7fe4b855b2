package io.whatsappoutbox.core.webhook;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.PhoneNumber;
import java.time.Instant;
import java.util.Objects;

/**
 * A message a customer sent to an org (the runbook's inbound {@code message} row). It opens or
 * extends the 24-hour session window (see {@link #opensServiceWindow()}); an opt-out keyword
 * revokes consent.
 *
 * @param type the provider's type word ({@code text}, {@code interactive}, {@code button}, {@code image} ...)
 * @param text the text, or a button's title, or an edit's new text, or null (a caption is in the details)
 * @param payload a reply button's id, or null
 * @param contextMessageId the message this one replies to, or null
 * @param details what the message carries beyond its text; {@link Details#NONE} when nothing
 */
public record InboundMessage(String orgId, Channel channel, PhoneNumber from, String providerMessageId, String type,
        String text, String payload, String contextMessageId, Instant receivedAt, Details details) {

    /**
     * What an inbound message carries beyond its text, every part optional (null when absent).
     *
     * @param profileName the sender's WhatsApp profile name ({@code contacts[].profile.name})
     * @param mediaId Meta's media id of an image, video, audio, document or sticker
     * @param filename a document's file name
     * @param contactsJson shared contacts as Meta's JSON, at most {@link #CONTACTS_MAX} characters
     * @param reactedMessageId the message a reaction is about; {@code reactionEmoji} is null when
     *     the customer removed their reaction
     * @param replyDescription a list row's description
     * @param orderItemsJson an order's {@code product_items} as Meta's JSON, at most {@link #CONTACTS_MAX} characters
     * @param editedMessageId the message an edit replaces ({@code edit.original_message_id})
     * @param revokedMessageId the message the customer deleted ({@code revoke.original_message_id})
     */
    public record Details(String profileName, String mediaId, String mimeType, String caption, String filename,
            Double latitude, Double longitude, String locationName, String locationAddress, String contactsJson,
            String reactionEmoji, String reactedMessageId, String replyDescription, String orderCatalogId,
            String orderItemsJson, String editedMessageId, String revokedMessageId) {
        /** Meta's JSON kept for contacts and order items is cut beyond this many characters. */
        public static final int CONTACTS_MAX = 8_000;
        public static final Details NONE = new Details(null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);

        public Details {
            contactsJson = cap(contactsJson);
            orderItemsJson = cap(orderItemsJson);
        }

        private static String cap(String json) {
            return json == null || json.length() <= CONTACTS_MAX ? json : json.substring(0, CONTACTS_MAX);
        }

        public boolean isEmpty() {
            return equals(NONE);
        }

        /**
         * Names the parts present, never their values: a profile name, a caption, coordinates and
         * shared contacts are the customer's.
         */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("Details[");
            part(b, "profileName", profileName);
            part(b, "mediaId", mediaId);
            part(b, "mimeType", mimeType);
            part(b, "caption", caption);
            part(b, "filename", filename);
            part(b, "location", latitude);
            part(b, "contacts", contactsJson);
            part(b, "reaction", reactedMessageId);
            part(b, "order", orderCatalogId);
            part(b, "editedMessageId", editedMessageId);
            part(b, "revokedMessageId", revokedMessageId);
            return b.append(']').toString();
        }

        private static void part(StringBuilder b, String name, Object value) {
            if (value != null) {
                b.append(b.charAt(b.length() - 1) == '[' ? "" : ", ").append(name);
            }
        }
    }

    /** Without details: a message that carries nothing beyond its text. */
    public InboundMessage(String orgId, Channel channel, PhoneNumber from, String providerMessageId, String type,
            String text, String payload, String contextMessageId, Instant receivedAt) {
        this(orgId, channel, from, providerMessageId, type, text, payload, contextMessageId, receivedAt, Details.NONE);
    }

    public InboundMessage {
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(providerMessageId, "providerMessageId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(receivedAt, "receivedAt");
        details = details == null ? Details.NONE : details;
    }

    /**
     * Whether this message opens or extends the 24-hour customer service window. Meta starts the
     * window when a customer messages the business; a reaction, an edit or a deletion of an earlier
     * message is no new message from the customer, and Meta's {@code system} notices (a number
     * change) are not the customer writing. These do not open a window, so that the outbox never
     * counts on a window Meta may not have opened: a free-form send outside it fails with 131047.
     */
    public boolean opensServiceWindow() {
        if (channel != Channel.WHATSAPP) {
            return false;
        }
        return switch (type) {
            case "reaction", "revoke", "edit", "edited", "system" -> false;
            default -> true;
        };
    }

    /** The customer's words, button ids and details stay out: only their sizes, and the number masked. */
    @Override
    public String toString() {
        return "InboundMessage[orgId=" + orgId + ", channel=" + channel + ", from=" + from + ", providerMessageId="
                + providerMessageId + ", type=" + type + ", text=" + (text == null ? null : text.length() + " chars")
                + ", payload=" + (payload == null ? null : payload.length() + " chars") + ", contextMessageId="
                + contextMessageId + ", receivedAt=" + receivedAt + ", details=" + details + "]";
    }

    /**
     * Whether {@code text} is what the customer typed (Meta's {@code text}, an SMS body), not the
     * title of a button or list row they tapped: only typed text can be an opt-out keyword.
     */
    public boolean isTypedText() {
        return text != null && ("text".equals(type) || channel == Channel.SMS && payload == null);
    }

    public String dedupeKey() {
        return channel.name() + ":in:" + providerMessageId;
    }
}

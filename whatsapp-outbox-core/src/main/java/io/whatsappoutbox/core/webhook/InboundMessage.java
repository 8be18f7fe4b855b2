package io.whatsappoutbox.core.webhook;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.PhoneNumber;
import java.time.Instant;
import java.util.Objects;

/**
 * A message a customer sent to an org (the runbook's inbound {@code message} row). It opens or
 * extends the 24-hour session window; an opt-out keyword revokes consent.
 *
 * @param type the provider's type word ({@code text}, {@code interactive}, {@code button}, {@code image} ...)
 * @param text the text, or a button's title, or null
 * @param payload a reply button's id, or null
 * @param contextMessageId the message this one replies to, or null
 */
public record InboundMessage(String orgId, Channel channel, PhoneNumber from, String providerMessageId, String type,
        String text, String payload, String contextMessageId, Instant receivedAt) {
    public InboundMessage {
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(providerMessageId, "providerMessageId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    /** The customer's words and button ids stay out: only their sizes, and the number masked. */
    @Override
    public String toString() {
        return "InboundMessage[orgId=" + orgId + ", channel=" + channel + ", from=" + from + ", providerMessageId="
                + providerMessageId + ", type=" + type + ", text=" + (text == null ? null : text.length() + " chars")
                + ", payload=" + (payload == null ? null : payload.length() + " chars") + ", contextMessageId="
                + contextMessageId + ", receivedAt=" + receivedAt + "]";
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

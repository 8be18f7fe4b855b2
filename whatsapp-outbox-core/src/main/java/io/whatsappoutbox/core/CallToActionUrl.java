package io.whatsappoutbox.core;

import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.internal.Violations;
import java.net.URI;

/**
 * A call-to-action URL message: a body and one button that opens {@code url}, so the link itself
 * stays hidden behind its label.
 *
 * @param displayText the button's label
 * @param header optional text header; or {@code headerMedia}, an image, video or document
 */
public record CallToActionUrl(String body, String displayText, URI url, String header, Media headerMedia,
        String footer) implements MessageContent {

    public static CallToActionUrl of(String body, String displayText, URI url) {
        return new CallToActionUrl(body, displayText, url, null, null, null);
    }

    @Override
    public ContentType type() {
        return ContentType.INTERACTIVE_CTA_URL;
    }

    void validate(Violations v, Channel channel, String prefix) {
        String f = prefix + "interactive";
        if (!ContentRules.whatsappOnly(v, channel, f, "an interactive message")) {
            return;
        }
        MessageContent.InteractiveButtons.validateFrame(v, f, body, header, headerMedia, footer);
        ContentRules.required(v, f + ".displayText", displayText, MessageContent.BUTTON_TITLE_MAX);
        ContentRules.link(v, f + ".url", url, MessageContent.LINK_MAX);
    }

    @Override
    public String toString() {
        return "CallToActionUrl[" + (header != null ? "text header" : headerMedia != null ? "header "
                + headerMedia.kind() : "no header") + (footer != null ? ", footer" : "") + "]";
    }
}

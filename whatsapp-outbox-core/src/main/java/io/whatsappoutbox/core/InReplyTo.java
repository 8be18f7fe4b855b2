package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;
import java.util.Optional;

/**
 * A message that quotes an earlier one of the conversation (Meta's {@code context.message_id}):
 * the customer sees the quoted message above it. Build it with
 * {@link MessageContent#inReplyTo(String)}: {@code MessageContent.text("Oui, 10h").inReplyTo(wamid)}.
 * Its type, window rule and template name are those of the content it carries.
 *
 * @param messageId the wamid quoted, usually an inbound message's
 */
public record InReplyTo(String messageId, MessageContent content) implements MessageContent {

    @Override
    public ContentType type() {
        return content == null ? ContentType.TEXT : content.type();
    }

    @Override
    public boolean isFreeForm() {
        return content == null || content.isFreeForm();
    }

    @Override
    public Optional<String> templateName() {
        return content == null ? Optional.empty() : content.templateName();
    }

    @Override
    public MessageContent withoutContext() {
        return content;
    }

    /** Quoting another message replaces the quoted one: a reply quotes one message. */
    @Override
    public InReplyTo inReplyTo(String otherMessageId) {
        return new InReplyTo(otherMessageId, content);
    }

    void validate(Violations v, Channel channel, String prefix) {
        if (!ContentRules.whatsappOnly(v, channel, prefix + "context", "a reply in context")) {
            return;
        }
        ContentRules.messageId(v, prefix + "context.messageId", messageId);
        if (!v.requireNonNull(prefix + "content", content)) {
            return;
        }
        if (content instanceof InReplyTo || content instanceof Reaction) {
            v.add(prefix + "context", "quotes a message with " + content.type() + " content that "
                    + (content instanceof Reaction ? "is a reaction" : "already quotes one"),
                    "a reply quotes one message; a reaction names its message itself");
            return;
        }
        ContentRules.validate(content, v, channel, prefix);
    }

    @Override
    public String toString() {
        return "InReplyTo[" + content + "]";
    }
}

package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;

/**
 * An emoji on one of the conversation's messages; an empty emoji removes the business's reaction.
 *
 * @param messageId the wamid of the message reacted to
 */
public record Reaction(String messageId, String emoji) implements MessageContent {
    /** A flag or a family emoji is a sequence of up to ten code points. */
    static final int EMOJI_CODE_POINTS_MAX = 10;

    public static Reaction of(String messageId, String emoji) {
        return new Reaction(messageId, emoji);
    }

    /** Removes the reaction from the message. */
    public static Reaction removal(String messageId) {
        return new Reaction(messageId, "");
    }

    @Override
    public ContentType type() {
        return ContentType.REACTION;
    }

    void validate(Violations v, Channel channel, String prefix) {
        String f = prefix + "reaction";
        if (!ContentRules.whatsappOnly(v, channel, f, "a reaction")) {
            return;
        }
        ContentRules.messageId(v, f + ".messageId", messageId);
        if (v.requireNonNull(f + ".emoji", emoji) && !emoji.isEmpty()) {
            boolean plain = emoji.codePoints().anyMatch(cp -> Character.isLetterOrDigit(cp)
                    || Character.isWhitespace(cp) || Character.isISOControl(cp));
            if (plain || emoji.codePointCount(0, emoji.length()) > EMOJI_CODE_POINTS_MAX) {
                v.add(f + ".emoji", "is not one emoji",
                        "one emoji (at most " + EMOJI_CODE_POINTS_MAX + " code points, no letters, digits or spaces),"
                                + " or empty to remove the reaction");
            }
        }
    }

    @Override
    public String toString() {
        return "Reaction[" + (emoji == null || emoji.isEmpty() ? "removal" : "emoji") + "]";
    }
}

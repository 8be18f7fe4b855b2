package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/** Checks shared by several kinds of content. */
final class ContentRules {
    static final Pattern MEDIA_ID = Pattern.compile("[0-9A-Za-z_.-]+");
    /** A wamid is base64 behind {@code wamid.}; the rule accepts any id Meta's alphabet can write. */
    static final Pattern MESSAGE_ID = Pattern.compile("[A-Za-z0-9._:=+/-]+");
    static final int MESSAGE_ID_MAX = 256;

    private ContentRules() {}

    /**
     * Checks {@code content} for {@code channel} by its kind's own rules, naming fields under
     * {@code prefix}. The rules stay off the public {@link MessageContent} interface: the collector
     * they write to is internal.
     */
    static void validate(MessageContent content, Violations v, Channel channel, String prefix) {
        if (content instanceof MessageContent.Text c) {
            c.validate(v, channel, prefix);
        } else if (content instanceof Template c) {
            c.validate(v, channel, prefix);
        } else if (content instanceof MessageContent.Media c) {
            c.validate(v, channel, prefix);
        } else if (content instanceof MessageContent.InteractiveButtons c) {
            c.validate(v, channel, prefix);
        } else if (content instanceof Location c) {
            c.validate(v, channel, prefix);
        } else if (content instanceof Contacts c) {
            c.validate(v, channel, prefix);
        } else if (content instanceof Reaction c) {
            c.validate(v, channel, prefix);
        } else if (content instanceof InteractiveList c) {
            c.validate(v, channel, prefix);
        } else if (content instanceof CallToActionUrl c) {
            c.validate(v, channel, prefix);
        } else if (content instanceof InReplyTo c) {
            c.validate(v, channel, prefix);
        } else {
            // MessageContent is sealed: a new kind that reaches this line was given no rules
            throw new IllegalStateException("no rules for content of type " + content.getClass().getName());
        }
    }

    static boolean whatsappOnly(Violations v, Channel channel, String field, String what) {
        if (channel != Channel.WHATSAPP) {
            v.add(field, "is " + what + " on channel " + channel, what + " is sent on WHATSAPP only");
            return false;
        }
        return true;
    }

    /** An absolute http(s) URL of at most {@code max} characters. */
    static void link(Violations v, String field, URI link, int max) {
        if (!v.requireNonNull(field, link)) {
            return;
        }
        String scheme = link.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))
                || link.getHost() == null) {
            v.add(field, "is not an absolute http(s) URL", "an absolute https:// URL");
        } else if (link.toString().length() > max) {
            v.add(field, "has " + link.toString().length() + " characters", "at most " + max + " characters");
        }
    }

    /** Exactly one of a Meta media id or a link. */
    static void mediaRef(Violations v, String field, String mediaId, URI link) {
        if ((mediaId == null) == (link == null)) {
            v.add(field, mediaId == null ? "has neither an id nor a link" : "has both an id and a link",
                    "exactly one of media id or link");
        }
        v.optionalText(field + ".id", mediaId, MessageContent.MEDIA_ID_MAX, MEDIA_ID, "a Meta media id");
        if (link != null) {
            link(v, field + ".link", link, MessageContent.LINK_MAX);
        }
    }

    /** Optional text: when present, not blank and at most {@code max} characters. */
    static void optional(Violations v, String field, String value, int max) {
        if (value != null && v.requirePresent(field, value)) {
            v.maxLength(field, value, max);
        }
    }

    /** Required text of at most {@code max} characters. */
    static boolean required(Violations v, String field, String value, int max) {
        return v.requirePresent(field, value) && v.maxLength(field, value, max);
    }

    /**
     * Meta refuses a template parameter with a new line, a tab or more than four consecutive spaces
     * (132018): four in a row are allowed.
     */
    static void templateText(Violations v, String field, String text, int max) {
        if (required(v, field, text, max)
                && (text.indexOf('\n') >= 0 || text.indexOf('\t') >= 0 || text.contains("     "))) {
            v.add(field, "contains a new line, a tab or more than four spaces in a row",
                    "Meta rejects template parameters with new lines, tabs or more than 4 consecutive spaces (132018)");
        }
    }

    static void messageId(Violations v, String field, String id) {
        v.text(field, id, MESSAGE_ID_MAX, MESSAGE_ID, "a WhatsApp message id (wamid...)");
    }

    /** A list of 1 to {@code max} elements, none null; false when it cannot be checked further. */
    static boolean count(Violations v, String field, List<?> list, int min, int max) {
        if (list.size() < min || list.size() > max) {
            v.add(field, "has " + list.size() + " elements", min + " to " + max);
            return false;
        }
        for (int i = 0; i < list.size(); i++) {
            v.requireNonNull(field + "[" + i + "]", list.get(i));
        }
        return true;
    }

    static String chars(String s) {
        return s == null ? "null" : Violations.length(s) + " chars";
    }
}

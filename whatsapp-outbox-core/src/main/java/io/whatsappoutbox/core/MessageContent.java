package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an outbound message says: every message type Meta's Cloud API sends. Each kind is checked
 * against Meta's published limits (and SMS's for text) when a request is built, so a message the
 * provider would reject for its shape never reaches the queue.
 *
 * <p>{@code toString()} of every kind names its type and shape, never its text, parameters,
 * links or coordinates: those are the customer's data.
 */
public sealed interface MessageContent
        permits MessageContent.Text, Template, MessageContent.Media,
                MessageContent.InteractiveButtons, Location, Contacts, Reaction, InteractiveList,
                CallToActionUrl, InReplyTo {

    /** WhatsApp text body limit. */
    int WHATSAPP_TEXT_MAX = 4096;
    /** Twilio's limit for one SMS body (split into segments by the carrier). */
    int SMS_TEXT_MAX = 1600;
    int CAPTION_MAX = 1024;
    int FILENAME_MAX = 240;
    int LINK_MAX = 2048;
    int MEDIA_ID_MAX = 128;
    int TEMPLATE_NAME_MAX = 512;
    int TEMPLATE_PARAMETERS_MAX = 100;
    /** A body parameter can never exceed the whole template body (1024 characters). */
    int TEMPLATE_PARAMETER_MAX = 1024;
    int INTERACTIVE_BODY_MAX = 1024;
    int INTERACTIVE_HEADER_MAX = 60;
    int INTERACTIVE_FOOTER_MAX = 60;
    int BUTTONS_MAX = 3;
    int BUTTON_TITLE_MAX = 20;
    int BUTTON_ID_MAX = 256;

    ContentType type();

    /**
     * True for content Meta only delivers inside the 24-hour customer service window: everything
     * but templates.
     */
    default boolean isFreeForm() {
        return true;
    }

    /** The template name, stored as the runbook's {@code template_code}. */
    default Optional<String> templateName() {
        return Optional.empty();
    }

    /**
     * This content as a reply quoting an earlier message of the conversation (Meta's
     * {@code context.message_id}), such as the customer's question.
     */
    default InReplyTo inReplyTo(String messageId) {
        return new InReplyTo(messageId, this);
    }

    /** What this content says without the message it quotes: itself, unless it is an {@link InReplyTo}. */
    default MessageContent withoutContext() {
        return this;
    }

    static Text text(String body) {
        return new Text(body, false);
    }

    static Template template(String name, String language, String... bodyParameters) {
        return Template.named(name, language).body(bodyParameters);
    }

    /** Plain text; on WhatsApp it is free-form (inside the session window only). */
    record Text(String body, boolean previewUrl) implements MessageContent {
        @Override
        public ContentType type() {
            return ContentType.TEXT;
        }

        void validate(Violations v, Channel channel, String prefix) {
            int max = channel == Channel.SMS ? SMS_TEXT_MAX : WHATSAPP_TEXT_MAX;
            if (v.requirePresent(prefix + "text", body)) {
                v.maxLength(prefix + "text", body, max);
            }
        }

        @Override
        public String toString() {
            return "Text[" + ContentRules.chars(body) + ", previewUrl=" + previewUrl + "]";
        }
    }

    enum MediaKind {
        IMAGE(ContentType.IMAGE, true),
        DOCUMENT(ContentType.DOCUMENT, true),
        VIDEO(ContentType.VIDEO, true),
        AUDIO(ContentType.AUDIO, false),
        STICKER(ContentType.STICKER, false);

        private final ContentType contentType;
        private final boolean captioned;

        MediaKind(ContentType contentType, boolean captioned) {
            this.contentType = contentType;
            this.captioned = captioned;
        }

        public ContentType contentType() {
            return contentType;
        }

        /** Whether Meta shows a caption under this kind (audio and stickers have none). */
        public boolean captioned() {
            return captioned;
        }
    }

    /** An image, document, video, audio or sticker, by Meta media id or by link, with an optional caption. */
    record Media(MediaKind kind, String mediaId, URI link, String caption, String filename)
            implements MessageContent {

        public static Media imageById(String mediaId, String caption) {
            return new Media(MediaKind.IMAGE, mediaId, null, caption, null);
        }

        public static Media imageByLink(URI link, String caption) {
            return new Media(MediaKind.IMAGE, null, link, caption, null);
        }

        public static Media documentById(String mediaId, String caption, String filename) {
            return new Media(MediaKind.DOCUMENT, mediaId, null, caption, filename);
        }

        public static Media documentByLink(URI link, String caption, String filename) {
            return new Media(MediaKind.DOCUMENT, null, link, caption, filename);
        }

        public static Media videoById(String mediaId, String caption) {
            return new Media(MediaKind.VIDEO, mediaId, null, caption, null);
        }

        public static Media videoByLink(URI link, String caption) {
            return new Media(MediaKind.VIDEO, null, link, caption, null);
        }

        public static Media audioById(String mediaId) {
            return new Media(MediaKind.AUDIO, mediaId, null, null, null);
        }

        public static Media audioByLink(URI link) {
            return new Media(MediaKind.AUDIO, null, link, null, null);
        }

        public static Media stickerById(String mediaId) {
            return new Media(MediaKind.STICKER, mediaId, null, null, null);
        }

        public static Media stickerByLink(URI link) {
            return new Media(MediaKind.STICKER, null, link, null, null);
        }

        @Override
        public ContentType type() {
            return kind == null ? ContentType.IMAGE : kind.contentType();
        }

        void validate(Violations v, Channel channel, String prefix) {
            String f = prefix + "media";
            if (!ContentRules.whatsappOnly(v, channel, f, "media")) {
                return;
            }
            if (!v.requireNonNull(f + ".kind", kind)) {
                return;
            }
            ContentRules.mediaRef(v, f, mediaId, link);
            if (caption != null) {
                if (!kind.captioned()) {
                    v.add(f + ".caption", "is set on a message of kind " + kind,
                            "only images, videos and documents carry a caption");
                } else {
                    ContentRules.optional(v, f + ".caption", caption, CAPTION_MAX);
                }
            }
            validateFilename(v, f, kind, filename);
        }

        static void validateFilename(Violations v, String f, MediaKind kind, String filename) {
            if (filename != null) {
                if (kind != MediaKind.DOCUMENT) {
                    v.add(f + ".filename", kind == MediaKind.IMAGE ? "is set on an image" : "is set on kind " + kind,
                            "only documents carry a filename");
                } else {
                    ContentRules.optional(v, f + ".filename", filename, FILENAME_MAX);
                }
            }
        }

        /** As the header of an interactive message: no caption, a document's filename allowed. */
        void validateAsHeader(Violations v, String f) {
            if (!v.requireNonNull(f + ".kind", kind)) {
                return;
            }
            if (kind != MediaKind.IMAGE && kind != MediaKind.VIDEO && kind != MediaKind.DOCUMENT) {
                v.add(f + ".kind", "is " + kind, "an image, a video or a document");
            }
            ContentRules.mediaRef(v, f, mediaId, link);
            if (caption != null) {
                v.add(f + ".caption", "is set on a header", "a header has no caption");
            }
            validateFilename(v, f, kind, filename);
        }

        @Override
        public String toString() {
            return "Media[" + kind + (mediaId != null ? ", by id" : ", by link")
                    + (caption != null ? ", caption " + ContentRules.chars(caption) : "")
                    + (filename != null ? ", with filename" : "") + "]";
        }
    }

    /** A reply button: its id comes back in the customer's reply. */
    record ReplyButton(String id, String title) {
        @Override
        public String toString() {
            return "ReplyButton[" + id + "]";
        }
    }

    /**
     * Body text with one to three reply buttons, and an optional header: text, or an image, a
     * video or a document ({@code headerMedia}), never both.
     */
    record InteractiveButtons(String body, List<ReplyButton> buttons, String header, String footer, Media headerMedia)
            implements MessageContent {
        public InteractiveButtons {
            buttons = buttons == null ? List.of() : List.copyOf(buttons);
        }

        public InteractiveButtons(String body, List<ReplyButton> buttons, String header, String footer) {
            this(body, buttons, header, footer, null);
        }

        public static InteractiveButtons of(String body, ReplyButton... buttons) {
            return new InteractiveButtons(body, List.of(buttons), null, null);
        }

        /** The same message under an image, video or document header. */
        public InteractiveButtons withHeaderMedia(Media media) {
            return new InteractiveButtons(body, buttons, null, footer, media);
        }

        @Override
        public ContentType type() {
            return ContentType.INTERACTIVE_BUTTONS;
        }

        void validate(Violations v, Channel channel, String prefix) {
            String f = prefix + "interactive";
            if (!ContentRules.whatsappOnly(v, channel, f, "an interactive message")) {
                return;
            }
            validateFrame(v, f, body, header, headerMedia, footer);
            if (buttons.isEmpty() || buttons.size() > BUTTONS_MAX) {
                v.add(f + ".buttons", "has " + buttons.size() + " buttons", "1 to " + BUTTONS_MAX + " buttons");
                return;
            }
            Set<String> ids = new HashSet<>();
            Set<String> titles = new HashSet<>();
            for (int i = 0; i < buttons.size(); i++) {
                String bf = f + ".buttons[" + i + "]";
                ReplyButton b = buttons.get(i);
                if (!v.requireNonNull(bf, b)) {
                    continue;
                }
                if (v.requirePresent(bf + ".id", b.id()) && v.maxLength(bf + ".id", b.id(), BUTTON_ID_MAX)
                        && !ids.add(b.id())) {
                    v.add(bf + ".id", "'" + Violations.printable(b.id()) + "' is used twice", "button ids are unique");
                }
                if (v.requirePresent(bf + ".title", b.title())
                        && v.maxLength(bf + ".title", b.title(), BUTTON_TITLE_MAX)
                        && !titles.add(b.title())) {
                    v.add(bf + ".title", "'" + Violations.printable(b.title()) + "' is used twice",
                            "button titles are unique");
                }
            }
        }

        /** Body, header (text or media, not both) and footer of any interactive message. */
        static void validateFrame(Violations v, String f, String body, String header, Media headerMedia, String footer) {
            ContentRules.required(v, f + ".body", body, INTERACTIVE_BODY_MAX);
            if (header != null && headerMedia != null) {
                v.add(f + ".header", "is set with headerMedia", "one header: text or media");
            }
            ContentRules.optional(v, f + ".header", header, INTERACTIVE_HEADER_MAX);
            if (headerMedia != null) {
                headerMedia.validateAsHeader(v, f + ".headerMedia");
            }
            ContentRules.optional(v, f + ".footer", footer, INTERACTIVE_FOOTER_MAX);
        }

        @Override
        public String toString() {
            return "InteractiveButtons[" + buttons + (header != null ? ", text header" : "")
                    + (headerMedia != null ? ", header " + headerMedia.kind() : "")
                    + (footer != null ? ", footer" : "") + "]";
        }
    }
}

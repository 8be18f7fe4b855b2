package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an outbound message says: every message type Meta's Cloud API sends. Each kind is checked
 * against Meta's published limits (and SMS's for text) when a request is built, so a message the
 * provider would reject for its shape never reaches the queue.
 *
 * <p>{@code toString()} of every kind names its type and shape, never its text, parameters,
 * links or coordinates: those are the customer's data.
 */
public sealed interface MessageContent
        permits MessageContent.Text, MessageContent.Template, MessageContent.Media,
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

    /**
     * One body parameter of a template: positional ({@code {{1}}}) or named
     * ({@code {{first_name}}}), of type text, currency or date_time. For a currency or a date the
     * {@code text} is Meta's {@code fallback_value}: Cloud API always shows it.
     *
     * @param currencyCode ISO 4217 code, for a currency only
     * @param amount1000 the amount times 1000, for a currency only
     */
    record TemplateParameter(String name, String text, Type type, String currencyCode, Long amount1000) {
        static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,64}");

        /** Meta's parameter types for a template body. */
        public enum Type {
            TEXT,
            CURRENCY,
            DATE_TIME
        }

        public TemplateParameter {
            type = type == null ? Type.TEXT : type;
        }

        public TemplateParameter(String name, String text) {
            this(name, text, Type.TEXT, null, null);
        }

        public static TemplateParameter positional(String text) {
            return new TemplateParameter(null, text);
        }

        public static TemplateParameter named(String name, String text) {
            return new TemplateParameter(Objects.requireNonNull(name, "name"), text);
        }

        /** A currency amount such as {@code currency("12,50 €", "EUR", 12_500)}. */
        public static TemplateParameter currency(String fallbackValue, String currencyCode, long amount1000) {
            return new TemplateParameter(null, fallbackValue, Type.CURRENCY, currencyCode, amount1000);
        }

        /** A date and time, shown as {@code fallbackValue}. */
        public static TemplateParameter dateTime(String fallbackValue) {
            return new TemplateParameter(null, fallbackValue, Type.DATE_TIME, null, null);
        }

        /** The same parameter bound to a named variable ({@code {{name}}}). */
        public TemplateParameter withName(String parameterName) {
            return new TemplateParameter(Objects.requireNonNull(parameterName, "name"), text, type, currencyCode,
                    amount1000);
        }

        public boolean isNamed() {
            return name != null;
        }

        @Override
        public String toString() {
            return "TemplateParameter[" + (name == null ? "" : name + ", ") + type + ", " + ContentRules.chars(text)
                    + "]";
        }
    }

    /**
     * An approved template: the only kind Meta delivers outside the 24-hour window. Build it as
     * the template reads in WhatsApp Manager:
     *
     * <pre>{@code
     * Template.named("appointment_reminder", "fr")
     *         .headerImage(URI.create("https://cdn.example.com/flat-42.jpg"))
     *         .body("lundi 10h", "12 rue X")
     *         .urlButton(0, "V-123")
     *         .quickReplyButton(1, "confirm:42")
     * }</pre>
     *
     * Every method returns a new template. What the typed model does not cover (carousel cards,
     * limited-time offers, flow buttons) goes as Meta's own {@code components} JSON with
     * {@link #components(String)}, instead of the typed parts.
     *
     * @param parameters the body's parameters, in {@code {{1}}} order when positional
     * @param header the header's parameter (text, media or location), or null
     * @param buttons the parameters of the template's variable buttons, by index
     * @param components Meta's {@code components} array as JSON text, or null
     */
    record Template(String name, String language, List<TemplateParameter> parameters, TemplateHeader header,
            List<TemplateButton> buttons, String components) implements MessageContent {
        static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
        static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(_[A-Z]{2})?");

        public Template {
            parameters = parameters == null ? List.of() : List.copyOf(parameters);
            buttons = buttons == null ? List.of() : List.copyOf(buttons);
        }

        /** A template with body parameters only (or none). */
        public Template(String name, String language, List<TemplateParameter> parameters) {
            this(name, language, parameters, null, List.of(), null);
        }

        /** The template {@code name} in {@code language} (its locale, such as {@code fr} or {@code en_US}). */
        public static Template named(String name, String language) {
            return new Template(name, language, List.of());
        }

        /** The body's positional text parameters, {@code {{1}}} first. */
        public Template body(String... texts) {
            return withParameters(java.util.Arrays.stream(texts).map(TemplateParameter::positional).toList());
        }

        /** The body's parameters: text, currency or date, positional or named. */
        public Template body(TemplateParameter... values) {
            return withParameters(List.of(values));
        }

        public Template withParameters(List<TemplateParameter> values) {
            return new Template(name, language, values, header, buttons, components);
        }

        public Template header(TemplateHeader value) {
            return new Template(name, language, parameters, value, buttons, components);
        }

        /** The header's text parameter. */
        public Template headerText(String text) {
            return header(TemplateHeader.text(text));
        }

        public Template headerImage(URI link) {
            return header(TemplateHeader.media(MediaKind.IMAGE, null, link, null));
        }

        public Template headerImage(String mediaId) {
            return header(TemplateHeader.media(MediaKind.IMAGE, mediaId, null, null));
        }

        public Template headerVideo(URI link) {
            return header(TemplateHeader.media(MediaKind.VIDEO, null, link, null));
        }

        public Template headerVideo(String mediaId) {
            return header(TemplateHeader.media(MediaKind.VIDEO, mediaId, null, null));
        }

        /** A document header; {@code filename} (optional) is what the customer sees. */
        public Template headerDocument(URI link, String filename) {
            return header(TemplateHeader.media(MediaKind.DOCUMENT, null, link, filename));
        }

        public Template headerDocument(String mediaId, String filename) {
            return header(TemplateHeader.media(MediaKind.DOCUMENT, mediaId, null, filename));
        }

        public Template headerLocation(Location location) {
            return header(TemplateHeader.location(location));
        }

        public Template button(TemplateButton button) {
            List<TemplateButton> more = new java.util.ArrayList<>(buttons);
            more.add(button);
            return new Template(name, language, parameters, header, more, components);
        }

        /** The variable suffix of the URL button at {@code index} (0-based, as in WhatsApp Manager). */
        public Template urlButton(int index, String suffix) {
            return button(new TemplateButton(TemplateButton.Type.URL, index, suffix));
        }

        /** The payload the quick-reply button at {@code index} sends back in the customer's reply. */
        public Template quickReplyButton(int index, String payload) {
            return button(new TemplateButton(TemplateButton.Type.QUICK_REPLY, index, payload));
        }

        /** The coupon code the copy-code button at {@code index} copies. */
        public Template copyCodeButton(int index, String couponCode) {
            return button(new TemplateButton(TemplateButton.Type.COPY_CODE, index, couponCode));
        }

        /**
         * An authentication template's one-time password: Meta wants it twice, as the body's
         * parameter and as the parameter of the copy-code (or one-tap) button at index 0.
         */
        public Template oneTimePassword(String code) {
            return body(code).button(new TemplateButton(TemplateButton.Type.ONE_TIME_PASSWORD, 0, code));
        }

        /**
         * Meta's own {@code components} array, as JSON text, for what the typed parts do not cover
         * (carousel, limited-time offer, flow button). It replaces them: a template has either.
         * Its size and shape (objects with known {@code type}s) are checked when it is enqueued.
         */
        public Template components(String metaComponentsJson) {
            return new Template(name, language, List.of(), null, List.of(), metaComponentsJson);
        }

        /** The shape the outbox stored before headers, buttons and components existed. */
        public boolean hasBodyOnly() {
            return header == null && buttons.isEmpty() && components == null
                    && parameters.stream().allMatch(p -> p == null || p.type() == TemplateParameter.Type.TEXT);
        }

        @Override
        public ContentType type() {
            return ContentType.TEMPLATE;
        }

        @Override
        public boolean isFreeForm() {
            return false;
        }

        @Override
        public Optional<String> templateName() {
            return Optional.ofNullable(name);
        }

        void validate(Violations v, Channel channel, String prefix) {
            TemplateRules.validate(this, v, channel, prefix);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("Template[").append(name).append(", ").append(language);
            if (header != null) {
                s.append(", header ").append(header.type());
            }
            s.append(", ").append(parameters.size()).append(" body parameters");
            for (TemplateButton b : buttons) {
                s.append(", ").append(b);
            }
            if (components != null) {
                s.append(", components ").append(ContentRules.chars(components));
            }
            return s.append(']').toString();
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

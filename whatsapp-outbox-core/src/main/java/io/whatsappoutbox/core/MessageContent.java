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
 * What an outbound message says. Each kind is checked against Meta's published limits (and SMS's
 * for text) when a request is built, so a message the provider would reject for its shape never
 * reaches the queue.
 */
public sealed interface MessageContent
        permits MessageContent.Text, MessageContent.Template, MessageContent.Media,
                MessageContent.InteractiveButtons {

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

    /** Checks the content for {@code channel}, naming fields under {@code prefix}. */
    void validate(Violations violations, Channel channel, String prefix);

    static Text text(String body) {
        return new Text(body, false);
    }

    static Template template(String name, String language, String... bodyParameters) {
        return new Template(name, language,
                java.util.Arrays.stream(bodyParameters).map(TemplateParameter::positional).toList());
    }

    /** Plain text; on WhatsApp it is free-form (inside the session window only). */
    record Text(String body, boolean previewUrl) implements MessageContent {
        @Override
        public ContentType type() {
            return ContentType.TEXT;
        }

        @Override
        public void validate(Violations v, Channel channel, String prefix) {
            int max = channel == Channel.SMS ? SMS_TEXT_MAX : WHATSAPP_TEXT_MAX;
            if (v.requirePresent(prefix + "text", body)) {
                v.maxLength(prefix + "text", body, max);
            }
        }
    }

    /** One body parameter of a template: positional ({@code {{1}}}) or named ({@code {{first_name}}}). */
    record TemplateParameter(String name, String text) {
        static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,64}");

        public static TemplateParameter positional(String text) {
            return new TemplateParameter(null, text);
        }

        public static TemplateParameter named(String name, String text) {
            return new TemplateParameter(Objects.requireNonNull(name, "name"), text);
        }

        public boolean isNamed() {
            return name != null;
        }
    }

    /** An approved template: the only kind Meta delivers outside the 24-hour window. */
    record Template(String name, String language, List<TemplateParameter> parameters)
            implements MessageContent {
        static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
        static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(_[A-Z]{2})?");

        public Template {
            parameters = parameters == null ? List.of() : List.copyOf(parameters);
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

        @Override
        public void validate(Violations v, Channel channel, String prefix) {
            if (channel != Channel.WHATSAPP) {
                v.add(prefix + "template", "is a WhatsApp template on channel " + channel,
                        "templates are sent on WHATSAPP only; SMS carries text");
                return;
            }
            v.text(prefix + "template.name", name, TEMPLATE_NAME_MAX, NAME,
                    "lowercase letters, digits and '_', at most " + TEMPLATE_NAME_MAX);
            v.text(prefix + "template.language", language, 6, LANGUAGE,
                    "a Meta language code such as 'fr', 'en_US' or 'pt_BR'");
            if (parameters.size() > TEMPLATE_PARAMETERS_MAX) {
                v.add(prefix + "template.parameters", "has " + parameters.size() + " parameters",
                        "at most " + TEMPLATE_PARAMETERS_MAX);
                return;
            }
            long named = parameters.stream().filter(p -> p != null && p.isNamed()).count();
            if (named != 0 && named != parameters.size()) {
                v.add(prefix + "template.parameters", "mixes named and positional parameters",
                        "all named or all positional");
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < parameters.size(); i++) {
                String field = prefix + "template.parameters[" + i + "]";
                TemplateParameter p = parameters.get(i);
                if (!v.requireNonNull(field, p)) {
                    continue;
                }
                if (v.requirePresent(field + ".text", p.text())) {
                    v.maxLength(field + ".text", p.text(), TEMPLATE_PARAMETER_MAX);
                    if (p.text().contains("\n") || p.text().contains("\t") || p.text().contains("    ")) {
                        v.add(field + ".text", "contains a new line, a tab or four spaces in a row",
                                "Meta rejects template parameters with new lines, tabs or more than 4 consecutive spaces");
                    }
                }
                if (p.isNamed()) {
                    if (v.text(field + ".name", p.name(), 64, TemplateParameter.NAME,
                            "lowercase letters, digits and '_'") && !names.add(p.name())) {
                        v.add(field + ".name", "'" + p.name() + "' appears twice", "parameter names are unique");
                    }
                }
            }
        }
    }

    enum MediaKind {
        IMAGE,
        DOCUMENT
    }

    /** An image or a document, by Meta media id or by link, with an optional caption. */
    record Media(MediaKind kind, String mediaId, URI link, String caption, String filename)
            implements MessageContent {
        static final Pattern MEDIA_ID = Pattern.compile("[0-9A-Za-z_.-]+");

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

        @Override
        public ContentType type() {
            return kind == MediaKind.DOCUMENT ? ContentType.DOCUMENT : ContentType.IMAGE;
        }

        @Override
        public void validate(Violations v, Channel channel, String prefix) {
            String f = prefix + "media";
            if (channel != Channel.WHATSAPP) {
                v.add(f, "is media on channel " + channel, "media is sent on WHATSAPP only");
                return;
            }
            v.requireNonNull(f + ".kind", kind);
            if ((mediaId == null) == (link == null)) {
                v.add(f, mediaId == null ? "has neither an id nor a link" : "has both an id and a link",
                        "exactly one of media id or link");
            }
            v.optionalText(f + ".id", mediaId, MEDIA_ID_MAX, MEDIA_ID, "a Meta media id");
            if (link != null) {
                String scheme = link.getScheme();
                if (scheme == null || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))
                        || link.getHost() == null) {
                    v.add(f + ".link", "is not an absolute http(s) URL", "an absolute https:// URL");
                } else if (link.toString().length() > LINK_MAX) {
                    v.add(f + ".link", "has " + link.toString().length() + " characters",
                            "at most " + LINK_MAX + " characters");
                }
            }
            if (caption != null) {
                if (v.requirePresent(f + ".caption", caption)) {
                    v.maxLength(f + ".caption", caption, CAPTION_MAX);
                }
            }
            if (filename != null) {
                if (kind != MediaKind.DOCUMENT) {
                    v.add(f + ".filename", "is set on an image", "only documents carry a filename");
                } else if (v.requirePresent(f + ".filename", filename)) {
                    v.maxLength(f + ".filename", filename, FILENAME_MAX);
                }
            }
        }
    }

    /** A quick-reply button: its id comes back in the customer's reply. */
    record ReplyButton(String id, String title) {}

    /** Body text with one to three reply buttons. */
    record InteractiveButtons(String body, List<ReplyButton> buttons, String header, String footer)
            implements MessageContent {
        public InteractiveButtons {
            buttons = buttons == null ? List.of() : List.copyOf(buttons);
        }

        public static InteractiveButtons of(String body, ReplyButton... buttons) {
            return new InteractiveButtons(body, List.of(buttons), null, null);
        }

        @Override
        public ContentType type() {
            return ContentType.INTERACTIVE_BUTTONS;
        }

        @Override
        public void validate(Violations v, Channel channel, String prefix) {
            String f = prefix + "interactive";
            if (channel != Channel.WHATSAPP) {
                v.add(f, "is an interactive message on channel " + channel,
                        "interactive messages are sent on WHATSAPP only");
                return;
            }
            if (v.requirePresent(f + ".body", body)) {
                v.maxLength(f + ".body", body, INTERACTIVE_BODY_MAX);
            }
            if (header != null && v.requirePresent(f + ".header", header)) {
                v.maxLength(f + ".header", header, INTERACTIVE_HEADER_MAX);
            }
            if (footer != null && v.requirePresent(f + ".footer", footer)) {
                v.maxLength(f + ".footer", footer, INTERACTIVE_FOOTER_MAX);
            }
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
    }
}

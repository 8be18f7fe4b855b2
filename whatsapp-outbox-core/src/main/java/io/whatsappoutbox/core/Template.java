package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

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
public record Template(String name, String language, List<Parameter> parameters, Header header,
        List<Button> buttons, String components) implements MessageContent {
    static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
    static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(_[A-Z]{2})?");

    public Template {
        parameters = parameters == null ? List.of() : List.copyOf(parameters);
        buttons = buttons == null ? List.of() : List.copyOf(buttons);
    }

    /** A template with body parameters only (or none). */
    public Template(String name, String language, List<Parameter> parameters) {
        this(name, language, parameters, null, List.of(), null);
    }

    /** The template {@code name} in {@code language} (its locale, such as {@code fr} or {@code en_US}). */
    public static Template named(String name, String language) {
        return new Template(name, language, List.of());
    }

    /** The body's positional text parameters, {@code {{1}}} first. */
    public Template body(String... texts) {
        return withParameters(java.util.Arrays.stream(texts).map(Parameter::positional).toList());
    }

    /** The body's parameters: text, currency or date, positional or named. */
    public Template body(Parameter... values) {
        return withParameters(List.of(values));
    }

    public Template withParameters(List<Parameter> values) {
        return new Template(name, language, values, header, buttons, components);
    }

    public Template header(Header value) {
        return new Template(name, language, parameters, value, buttons, components);
    }

    /** The header's text parameter. */
    public Template headerText(String text) {
        return header(Header.text(text));
    }

    public Template headerImage(URI link) {
        return header(Header.media(MessageContent.MediaKind.IMAGE, null, link, null));
    }

    public Template headerImage(String mediaId) {
        return header(Header.media(MessageContent.MediaKind.IMAGE, mediaId, null, null));
    }

    public Template headerVideo(URI link) {
        return header(Header.media(MessageContent.MediaKind.VIDEO, null, link, null));
    }

    public Template headerVideo(String mediaId) {
        return header(Header.media(MessageContent.MediaKind.VIDEO, mediaId, null, null));
    }

    /** A document header; {@code filename} (optional) is what the customer sees. */
    public Template headerDocument(URI link, String filename) {
        return header(Header.media(MessageContent.MediaKind.DOCUMENT, null, link, filename));
    }

    public Template headerDocument(String mediaId, String filename) {
        return header(Header.media(MessageContent.MediaKind.DOCUMENT, mediaId, null, filename));
    }

    public Template headerLocation(Location location) {
        return header(Header.location(location));
    }

    public Template button(Button button) {
        List<Button> more = new java.util.ArrayList<>(buttons);
        more.add(button);
        return new Template(name, language, parameters, header, more, components);
    }

    /** The variable suffix of the URL button at {@code index} (0-based, as in WhatsApp Manager). */
    public Template urlButton(int index, String suffix) {
        return button(new Button(Button.Type.URL, index, suffix));
    }

    /** The payload the quick-reply button at {@code index} sends back in the customer's reply. */
    public Template quickReplyButton(int index, String payload) {
        return button(new Button(Button.Type.QUICK_REPLY, index, payload));
    }

    /** The coupon code the copy-code button at {@code index} copies. */
    public Template copyCodeButton(int index, String couponCode) {
        return button(new Button(Button.Type.COPY_CODE, index, couponCode));
    }

    /**
     * An authentication template's one-time password: Meta wants it twice, as the body's
     * parameter and as the parameter of the copy-code (or one-tap) button at index 0.
     */
    public Template oneTimePassword(String code) {
        return body(code).button(new Button(Button.Type.ONE_TIME_PASSWORD, 0, code));
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
                && parameters.stream().allMatch(p -> p == null || p.type() == Parameter.Type.TEXT);
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
        for (Button b : buttons) {
            s.append(", ").append(b);
        }
        if (components != null) {
            s.append(", components ").append(ContentRules.chars(components));
        }
        return s.append(']').toString();
    }

    /**
     * One body parameter of a template: positional ({@code {{1}}}) or named
     * ({@code {{first_name}}}), of type text, currency or date_time. For a currency or a date the
     * {@code text} is Meta's {@code fallback_value}: Cloud API always shows it.
     *
     * @param currencyCode ISO 4217 code, for a currency only
     * @param amount1000 the amount times 1000, for a currency only
     */
    public record Parameter(String name, String text, Type type, String currencyCode, Long amount1000) {
        static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,64}");

        /** Meta's parameter types for a template body. */
        public enum Type {
            TEXT,
            CURRENCY,
            DATE_TIME
        }

        public Parameter {
            type = type == null ? Type.TEXT : type;
        }

        public Parameter(String name, String text) {
            this(name, text, Type.TEXT, null, null);
        }

        public static Parameter positional(String text) {
            return new Parameter(null, text);
        }

        public static Parameter named(String name, String text) {
            return new Parameter(Objects.requireNonNull(name, "name"), text);
        }

        /** A currency amount such as {@code currency("12,50 €", "EUR", 12_500)}. */
        public static Parameter currency(String fallbackValue, String currencyCode, long amount1000) {
            return new Parameter(null, fallbackValue, Type.CURRENCY, currencyCode, amount1000);
        }

        /** A date and time, shown as {@code fallbackValue}. */
        public static Parameter dateTime(String fallbackValue) {
            return new Parameter(null, fallbackValue, Type.DATE_TIME, null, null);
        }

        /** The same parameter bound to a named variable ({@code {{name}}}). */
        public Parameter withName(String parameterName) {
            return new Parameter(Objects.requireNonNull(parameterName, "name"), text, type, currencyCode,
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
     * The parameter of a template's header: its text variable, its image, video or document (by Meta
     * media id or link), or its location. Build one with the factories, or with
     * {@code Template.headerImage(...)} and its siblings.
     *
     * @param parameterName the header variable's name when the template uses named parameters, or null
     */
    public record Header(Type type, String parameterName, String text, String mediaId, URI link, String filename,
            Location location) {

        /** Meta's header formats that take a parameter. */
        public enum Type {
            TEXT,
            IMAGE,
            VIDEO,
            DOCUMENT,
            LOCATION
        }

        public static Header text(String text) {
            return new Header(Type.TEXT, null, text, null, null, null, null);
        }

        /** The text variable of a template with named parameters ({@code {{name}}}). */
        public static Header namedText(String parameterName, String text) {
            return new Header(Type.TEXT, parameterName, text, null, null, null, null);
        }

        /** An image, video or document header by media id or by link; a document may carry a filename. */
        public static Header media(MessageContent.MediaKind kind, String mediaId, URI link, String filename) {
            Type type = switch (kind) {
                case IMAGE -> Type.IMAGE;
                case VIDEO -> Type.VIDEO;
                case DOCUMENT -> Type.DOCUMENT;
                default -> throw new IllegalArgumentException("a template header is an image, a video or a document, not "
                        + kind);
            };
            return new Header(type, null, null, mediaId, link, filename, null);
        }

        public static Header location(Location location) {
            return new Header(Type.LOCATION, null, null, null, null, null, location);
        }

        /** The media kind of an image, video or document header, or null. */
        public MessageContent.MediaKind mediaKind() {
            return switch (type == null ? Type.TEXT : type) {
                case IMAGE -> MessageContent.MediaKind.IMAGE;
                case VIDEO -> MessageContent.MediaKind.VIDEO;
                case DOCUMENT -> MessageContent.MediaKind.DOCUMENT;
                default -> null;
            };
        }

        @Override
        public String toString() {
            return "TemplateHeader[" + type + (mediaId != null ? ", by id" : link != null ? ", by link" : "") + "]";
        }
    }

    /**
     * The parameter of one of a template's variable buttons, by its 0-based index in the template.
     *
     * @param value the URL suffix, the quick-reply payload, the coupon code or the one-time password
     */
    public record Button(Type type, int index, String value) {

        /** The button kinds whose parameter a send supplies. */
        public enum Type {
            /** A URL button whose URL ends in a variable: {@code value} is the suffix. */
            URL,
            /** A quick-reply button: {@code value} is the payload that comes back with the customer's tap. */
            QUICK_REPLY,
            /** A copy-code button: {@code value} is the coupon code. */
            COPY_CODE,
            /** An authentication template's copy-code or one-tap button: {@code value} is the code. */
            ONE_TIME_PASSWORD
        }

        @Override
        public String toString() {
            return type + " button " + index;
        }
    }
}

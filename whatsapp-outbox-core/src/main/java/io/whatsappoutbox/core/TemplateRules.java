package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** A template's limits, as Meta publishes them (docs/messages-and-templates.md lists each). */
final class TemplateRules {
    static final int HEADER_TEXT_MAX = 60;
    static final int BUTTONS_MAX = 10;
    /** A URL button's whole URL is at most 2000 characters, so its suffix is too. */
    static final int URL_SUFFIX_MAX = 2000;
    /** Meta publishes no limit for a quick-reply payload; a reply button's id has 256. */
    static final int PAYLOAD_MAX = 256;
    static final int CODE_MAX = 15;
    static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    static final Pattern NO_SPACE = Pattern.compile("\\S+");

    private TemplateRules() {}

    static void validate(Template t, Violations v, Channel channel, String prefix) {
        if (channel != Channel.WHATSAPP) {
            v.add(prefix + "template", "is a WhatsApp template on channel " + channel,
                    "templates are sent on WHATSAPP only; SMS carries text");
            return;
        }
        String f = prefix + "template";
        v.text(f + ".name", t.name(), MessageContent.TEMPLATE_NAME_MAX, Template.NAME,
                "lowercase letters, digits and '_', at most " + MessageContent.TEMPLATE_NAME_MAX);
        v.text(f + ".language", t.language(), 6, Template.LANGUAGE,
                "a Meta language code such as 'fr', 'en_US' or 'pt_BR'");
        if (t.components() != null) {
            components(v, f, t);
            return;
        }
        Boolean named = parameters(v, f, t.parameters());
        if (t.header() != null) {
            header(v, f + ".header", t.header(), named);
        }
        buttons(v, f, t);
    }

    /** The escape hatch: JSON text whose shape the store checks where JSON is parsed. */
    private static void components(Violations v, String f, Template t) {
        if (!t.parameters().isEmpty() || t.header() != null || !t.buttons().isEmpty()) {
            v.add(f + ".components", "is set with typed parameters, header or buttons",
                    "either Meta's components JSON or the typed parts, not both");
        }
        if (ContentRules.required(v, f + ".components", t.components(), OutboundMessageRequest.PAYLOAD_MAX_BYTES)) {
            String s = t.components().strip();
            if (!s.startsWith("[") || !s.endsWith("]")) {
                v.add(f + ".components", "is not a JSON array", "Meta's components: a JSON array of objects");
            }
        }
    }

    /** @return true when the parameters are named, false when positional, null when there are none */
    private static Boolean parameters(Violations v, String f, List<Template.Parameter> parameters) {
        if (parameters.size() > MessageContent.TEMPLATE_PARAMETERS_MAX) {
            v.add(f + ".parameters", "has " + parameters.size() + " parameters",
                    "at most " + MessageContent.TEMPLATE_PARAMETERS_MAX);
            return null;
        }
        long named = parameters.stream().filter(p -> p != null && p.isNamed()).count();
        if (named != 0 && named != parameters.size()) {
            v.add(f + ".parameters", "mixes named and positional parameters", "all named or all positional");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < parameters.size(); i++) {
            String pf = f + ".parameters[" + i + "]";
            Template.Parameter p = parameters.get(i);
            if (!v.requireNonNull(pf, p)) {
                continue;
            }
            ContentRules.templateText(v, pf + ".text", p.text(), MessageContent.TEMPLATE_PARAMETER_MAX);
            if (p.type() == Template.Parameter.Type.CURRENCY) {
                v.text(pf + ".currencyCode", p.currencyCode(), 3, CURRENCY, "an ISO 4217 code such as EUR or USD");
                if (p.amount1000() == null) {
                    v.add(pf + ".amount1000", "is missing", "required for a currency: the amount times 1000");
                } else if (p.amount1000() < 0) {
                    v.add(pf + ".amount1000", "is " + p.amount1000(), "0 or more: the amount times 1000");
                }
            } else if (p.currencyCode() != null || p.amount1000() != null) {
                v.add(pf + ".currencyCode", "is set on a " + p.type() + " parameter", "only a currency has a code");
            }
            if (p.isNamed() && v.text(pf + ".name", p.name(), 64, Template.Parameter.NAME,
                    "lowercase letters, digits and '_'") && !names.add(p.name())) {
                v.add(pf + ".name", "'" + p.name() + "' appears twice", "parameter names are unique");
            }
        }
        return parameters.isEmpty() ? null : named != 0;
    }

    private static void header(Violations v, String f, Template.Header h, Boolean bodyNamed) {
        if (!v.requireNonNull(f + ".type", h.type())) {
            return;
        }
        boolean media = h.type() == Template.Header.Type.IMAGE || h.type() == Template.Header.Type.VIDEO
                || h.type() == Template.Header.Type.DOCUMENT;
        if (h.type() == Template.Header.Type.TEXT) {
            ContentRules.templateText(v, f + ".text", h.text(), HEADER_TEXT_MAX);
            if (h.parameterName() != null) {
                v.text(f + ".parameterName", h.parameterName(), 64, Template.Parameter.NAME,
                        "lowercase letters, digits and '_'");
            }
            if (bodyNamed != null && bodyNamed != (h.parameterName() != null)) {
                v.add(f + ".parameterName", bodyNamed ? "is missing while the body's parameters are named"
                        : "is set while the body's parameters are positional", "all named or all positional");
            }
        } else if (h.text() != null || h.parameterName() != null) {
            v.add(f + ".text", "is set on a " + h.type() + " header", "only a text header has text");
        }
        if (media) {
            ContentRules.mediaRef(v, f, h.mediaId(), h.link());
            if (h.filename() != null) {
                if (h.type() != Template.Header.Type.DOCUMENT) {
                    v.add(f + ".filename", "is set on a " + h.type() + " header", "only documents carry a filename");
                } else {
                    ContentRules.optional(v, f + ".filename", h.filename(), MessageContent.FILENAME_MAX);
                }
            }
        } else if (h.mediaId() != null || h.link() != null || h.filename() != null) {
            v.add(f + ".link", "is set on a " + h.type() + " header", "only media headers have an id, link or filename");
        }
        if (h.type() == Template.Header.Type.LOCATION) {
            if (v.requireNonNull(f + ".location", h.location())) {
                h.location().check(v, f + ".location", true);
            }
        } else if (h.location() != null) {
            v.add(f + ".location", "is set on a " + h.type() + " header", "only a location header has a location");
        }
    }

    private static void buttons(Violations v, String f, Template t) {
        List<Template.Button> buttons = t.buttons();
        if (!ContentRules.count(v, f + ".buttons", buttons, 0, BUTTONS_MAX)) {
            return;
        }
        Set<Integer> indexes = new HashSet<>();
        for (int i = 0; i < buttons.size(); i++) {
            Template.Button b = buttons.get(i);
            String bf = f + ".buttons[" + i + "]";
            if (b == null || !v.requireNonNull(bf + ".type", b.type())) {
                continue;
            }
            if (b.index() < 0 || b.index() >= BUTTONS_MAX) {
                v.add(bf + ".index", "is " + b.index(), "0 to " + (BUTTONS_MAX - 1) + ": the button's place in the template");
            } else if (!indexes.add(b.index())) {
                v.add(bf + ".index", "is used twice (" + b.index() + ")", "one parameter per button");
            }
            switch (b.type()) {
                case URL -> {
                    if (ContentRules.required(v, bf + ".value", b.value(), URL_SUFFIX_MAX)) {
                        noSpace(v, bf + ".value", b.value(), "a URL suffix without spaces (percent-encode them)");
                    }
                }
                case QUICK_REPLY -> ContentRules.required(v, bf + ".value", b.value(), PAYLOAD_MAX);
                case COPY_CODE, ONE_TIME_PASSWORD -> {
                    if (ContentRules.required(v, bf + ".value", b.value(), CODE_MAX)) {
                        noSpace(v, bf + ".value", b.value(), "a code of at most " + CODE_MAX + " characters, no spaces");
                    }
                }
                default -> throw new IllegalStateException("unknown button type " + b.type());
            }
            if (b.type() == Template.Button.Type.ONE_TIME_PASSWORD) {
                oneTimePassword(v, f, bf, b, t);
            }
        }
    }

    /** Meta wants the code as the body's only parameter and as the button at index 0. */
    private static void oneTimePassword(Violations v, String f, String bf, Template.Button b, Template t) {
        if (b.index() != 0) {
            v.add(bf + ".index", "is " + b.index(), "an authentication template's code button is at index 0");
        }
        List<Template.Parameter> p = t.parameters();
        if (p.size() != 1 || p.get(0) == null || b.value() == null || !b.value().equals(p.get(0).text())) {
            v.add(f + ".parameters", "do not repeat the one-time password",
                    "an authentication template's body has one parameter: the code of its button");
        }
    }

    private static void noSpace(Violations v, String field, String value, String rule) {
        if (!NO_SPACE.matcher(value).matches()) {
            v.add(field, "contains a space, tab or new line", rule);
        }
    }
}

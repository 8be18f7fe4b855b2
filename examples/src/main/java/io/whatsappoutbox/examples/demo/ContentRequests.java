package io.whatsappoutbox.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.CallToActionUrl;
import io.whatsappoutbox.core.Contacts;
import io.whatsappoutbox.core.InteractiveList;
import io.whatsappoutbox.core.Location;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.MediaKind;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.Reaction;
import io.whatsappoutbox.core.internal.Violations;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The content of {@code POST /api/v1/outbound/messages}, in Meta's own field names so that a body
 * copied from Meta's reference works unchanged ({@code "image":{"link":...}},
 * {@code "interactive":{"type":"list",...}}, {@code "context":{"message_id":...}}), and the short
 * forms the serve mode always took ({@code "text":"..."}, {@code "template":{"parameters":["..."]}}).
 * What is not of the expected JSON type is reported by field; the limits are the model's.
 */
final class ContentRequests {
    static final List<String> TYPES = List.of("text", "template", "image", "document", "video", "audio", "sticker",
            "location", "contacts", "interactive", "reaction");

    private ContentRequests() {}

    static MessageContent parse(JsonNode body, Violations v) {
        List<String> present = TYPES.stream().filter(body::has).toList();
        if (present.size() != 1) {
            // "text" names the missing content, as it did when text and template were all there was
            v.add(present.isEmpty() ? "text" : present.get(1), present.isEmpty() ? "is missing" : "is set with "
                    + present.get(0), "exactly one of " + TYPES);
            return null;
        }
        String type = present.get(0);
        JsonNode declared = body.get("type");
        if (declared != null && !declared.isNull() && !type.equals(declared.asText())) {
            v.add("type", "is '" + Violations.printable(declared.asText()) + "' but the body carries " + type,
                    "Meta's type: the name of the object the body carries");
            return null;
        }
        MessageContent content = content(type, body.get(type), v);
        JsonNode context = body.get("context");
        if (content != null && context != null && !context.isNull()) {
            String id = text(context, "message_id", "context.message_id", v);
            if (id == null) {
                id = text(context, "messageId", "context.messageId", v);
            }
            if (id == null) {
                v.add("context.message_id", "is missing", "the wamid of the message replied to");
                return null;
            }
            return content.inReplyTo(id);
        }
        return content;
    }

    private static MessageContent content(String type, JsonNode n, Violations v) {
        return switch (type) {
            case "text" -> text(n, v);
            case "template" -> template(n, v);
            case "image", "document", "video", "audio", "sticker" -> media(MediaKind.valueOf(type.toUpperCase(Locale.ROOT)),
                    n, type, v);
            case "location" -> object(n, "location", v) ? location(n, "location", v) : null;
            case "contacts" -> contacts(n, v);
            case "reaction" -> object(n, "reaction", v)
                    ? Reaction.of(text(n, "message_id", "reaction.message_id", v), emoji(n, v)) : null;
            default -> interactive(n, v);
        };
    }

    private static MessageContent text(JsonNode n, Violations v) {
        if (n.isTextual()) {
            return MessageContent.text(n.asText());
        }
        if (!n.isObject()) {
            v.add("text", "is neither a string nor an object", "\"...\" or {\"body\":\"...\",\"preview_url\":false}");
            return null;
        }
        JsonNode preview = n.get("preview_url");
        if (preview != null && !preview.isBoolean()) {
            v.add("text.preview_url", "is not a boolean", "true or false");
        }
        return new MessageContent.Text(text(n, "body", "text.body", v), preview != null && preview.asBoolean());
    }

    private static MessageContent template(JsonNode t, Violations v) {
        if (!object(t, "template", v)) {
            return null;
        }
        JsonNode lang = t.get("language");
        String language = lang != null && lang.isObject() ? text(lang, "code", "template.language.code", v)
                : text(t, "language", "template.language", v);
        Template template = Template.named(text(t, "name", "template.name", v), language);
        JsonNode components = t.get("components");
        if (components != null && !components.isNull()) {
            if (t.has("parameters")) {
                v.add("template.parameters", "is set with components", "the short form or Meta's components, not both");
            }
            // Meta's own shape, sent as given: the store checks it when the message is enqueued
            return template.components(components.toString());
        }
        List<String> params = new ArrayList<>();
        JsonNode p = t.get("parameters");
        if (p != null && !p.isNull()) {
            if (!p.isArray()) {
                v.add("template.parameters", "is not an array", "an array of strings");
            } else {
                for (int i = 0; i < p.size(); i++) {
                    if (!p.get(i).isTextual()) {
                        v.add("template.parameters[" + i + "]", "is not a string", "a string");
                    } else {
                        params.add(p.get(i).asText());
                    }
                }
            }
        }
        return template.body(params.toArray(String[]::new));
    }

    private static Media media(MediaKind kind, JsonNode n, String field, Violations v) {
        if (!object(n, field, v)) {
            return null;
        }
        return new Media(kind, text(n, "id", field + ".id", v), uri(n, "link", field + ".link", v),
                text(n, "caption", field + ".caption", v), text(n, "filename", field + ".filename", v));
    }

    private static Location location(JsonNode n, String field, Violations v) {
        return new Location(degrees(n, "latitude", field, v), degrees(n, "longitude", field, v),
                text(n, "name", field + ".name", v), text(n, "address", field + ".address", v));
    }

    /** Meta documents strings ("37.44"), clients send numbers: both are read. */
    private static double degrees(JsonNode n, String name, String field, Violations v) {
        JsonNode d = n.get(name);
        if (d != null && d.isNumber()) {
            return d.asDouble();
        }
        if (d != null && d.isTextual()) {
            try {
                return Double.parseDouble(d.asText().strip());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        v.add(field + "." + name, d == null ? "is missing" : "is not a number", "decimal degrees");
        return 0;
    }

    private static String emoji(JsonNode n, Violations v) {
        String emoji = text(n, "emoji", "reaction.emoji", v);
        return emoji == null && !n.has("emoji") ? "" : emoji;
    }

    private static Contacts contacts(JsonNode n, Violations v) {
        if (!n.isArray()) {
            v.add("contacts", "is not an array", "Meta's contacts: an array of contact objects");
            return null;
        }
        List<Contacts.Contact> list = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String f = "contacts[" + i + "]";
            JsonNode c = n.get(i);
            if (!object(c, f, v)) {
                continue;
            }
            JsonNode name = c.path("name");
            Contacts.Name contactName = !name.isObject() ? null : new Contacts.Name(text(name, "formatted_name",
                    f + ".name.formatted_name", v), text(name, "first_name", f + ".name.first_name", v),
                    text(name, "last_name", f + ".name.last_name", v), text(name, "middle_name", f + ".name.middle_name", v),
                    text(name, "suffix", f + ".name.suffix", v), text(name, "prefix", f + ".name.prefix", v));
            JsonNode org = c.get("org");
            list.add(new Contacts.Contact(contactName,
                    each(c, "phones", f, v, (p, pf) -> new Contacts.Phone(text(p, "phone", pf + ".phone", v),
                            text(p, "type", pf + ".type", v), text(p, "wa_id", pf + ".wa_id", v))),
                    each(c, "emails", f, v, (e, ef) -> new Contacts.Email(text(e, "email", ef + ".email", v),
                            text(e, "type", ef + ".type", v))),
                    each(c, "urls", f, v, (u, uf) -> new Contacts.Url(text(u, "url", uf + ".url", v),
                            text(u, "type", uf + ".type", v))),
                    each(c, "addresses", f, v, (a, af) -> new Contacts.Address(text(a, "street", af + ".street", v),
                            text(a, "city", af + ".city", v), text(a, "state", af + ".state", v),
                            text(a, "zip", af + ".zip", v), text(a, "country", af + ".country", v),
                            text(a, "country_code", af + ".country_code", v), text(a, "type", af + ".type", v))),
                    org == null || !org.isObject() ? null : new Contacts.Organization(text(org, "company",
                            f + ".org.company", v), text(org, "department", f + ".org.department", v),
                            text(org, "title", f + ".org.title", v)),
                    text(c, "birthday", f + ".birthday", v)));
        }
        return new Contacts(list);
    }

    interface Item<T> {
        T read(JsonNode node, String field);
    }

    private static <T> List<T> each(JsonNode parent, String name, String f, Violations v, Item<T> read) {
        JsonNode array = parent.get(name);
        List<T> out = new ArrayList<>();
        if (array == null || array.isNull()) {
            return out;
        }
        if (!array.isArray()) {
            v.add(f + "." + name, "is not an array", "an array of objects");
            return out;
        }
        for (int i = 0; i < array.size(); i++) {
            String itemField = f + "." + name + "[" + i + "]";
            if (object(array.get(i), itemField, v)) {
                out.add(read.read(array.get(i), itemField));
            }
        }
        return out;
    }

    private static MessageContent interactive(JsonNode n, Violations v) {
        if (!object(n, "interactive", v)) {
            return null;
        }
        String kind = text(n, "type", "interactive.type", v);
        String body = n.path("body").isObject() ? text(n.get("body"), "text", "interactive.body.text", v) : null;
        String footer = n.path("footer").isObject() ? text(n.get("footer"), "text", "interactive.footer.text", v) : null;
        JsonNode header = n.get("header");
        String headerText = null;
        Media headerMedia = null;
        if (header != null && header.isObject()) {
            String headerType = text(header, "type", "interactive.header.type", v);
            if ("text".equals(headerType)) {
                headerText = text(header, "text", "interactive.header.text", v);
            } else if (headerType != null && List.of("image", "video", "document").contains(headerType)) {
                headerMedia = media(MediaKind.valueOf(headerType.toUpperCase(Locale.ROOT)), header.get(headerType),
                        "interactive.header." + headerType, v);
            } else {
                v.add("interactive.header.type", "is '" + Violations.printable(String.valueOf(headerType)) + "'",
                        "text, image, video or document");
            }
        }
        JsonNode action = n.path("action");
        if (kind == null) {
            v.add("interactive.type", "is missing", "button, list or cta_url");
            return null;
        }
        switch (kind) {
            case "button" -> {
                List<ReplyButton> buttons = each(action, "buttons", "interactive.action", v, (b, bf) ->
                        new ReplyButton(text(b.path("reply"), "id", bf + ".reply.id", v),
                                text(b.path("reply"), "title", bf + ".reply.title", v)));
                return new InteractiveButtons(body, buttons, headerText, footer, headerMedia);
            }
            case "list" -> {
                List<InteractiveList.Section> sections = each(action, "sections", "interactive.action", v, (s, sf) ->
                        new InteractiveList.Section(text(s, "title", sf + ".title", v), each(s, "rows", sf, v, (r, rf) ->
                                new InteractiveList.Row(text(r, "id", rf + ".id", v), text(r, "title", rf + ".title", v),
                                        text(r, "description", rf + ".description", v)))));
                if (headerMedia != null) {
                    v.add("interactive.header.type", "is media on a list", "a list has a text header only");
                }
                return new InteractiveList(body, text(action, "button", "interactive.action.button", v), sections,
                        headerText, footer);
            }
            case "cta_url" -> {
                JsonNode p = action.path("parameters");
                return new CallToActionUrl(body, text(p, "display_text", "interactive.action.parameters.display_text", v),
                        uri(p, "url", "interactive.action.parameters.url", v), headerText, headerMedia, footer);
            }
            default -> {
                v.add("interactive.type", "is '" + Violations.printable(kind) + "'", "button, list or cta_url");
                return null;
            }
        }
    }

    private static boolean object(JsonNode n, String field, Violations v) {
        if (n == null || !n.isObject()) {
            v.add(field, "is not an object", "a JSON object with Meta's field names");
            return false;
        }
        return true;
    }

    static String text(JsonNode o, String name, String field, Violations v) {
        JsonNode n = o == null ? null : o.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            v.add(field, "is not a string", "a JSON string");
            return null;
        }
        return n.asText();
    }

    private static URI uri(JsonNode o, String name, String field, Violations v) {
        return parsed(text(o, name, field, v), field, v, s -> {
            try {
                return new URI(s);
            } catch (URISyntaxException e) {
                return null;
            }
        });
    }

    private static <T> T parsed(String s, String field, Violations v, Function<String, T> parse) {
        if (s == null) {
            return null;
        }
        T value = parse.apply(s);
        if (value == null) {
            v.add(field, "is not a URL", "an absolute https:// URL");
        }
        return value;
    }
}

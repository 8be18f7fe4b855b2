package io.whatsappoutbox.meta.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.CallToActionUrl;
import io.whatsappoutbox.core.Contacts;
import io.whatsappoutbox.core.InReplyTo;
import io.whatsappoutbox.core.InteractiveList;
import io.whatsappoutbox.core.Location;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.MediaKind;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.MessageContent.Text;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Reaction;
import java.util.Locale;

/**
 * Writes the body of {@code POST /{version}/{phone-number-id}/messages} in exactly the shapes of
 * Meta's Cloud API reference. Internal.
 */
public final class MetaMessageJson {
    private final ObjectMapper mapper;

    public MetaMessageJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectNode body(PhoneNumber to, MessageContent content) {
        ObjectNode root = mapper.createObjectNode();
        root.put("messaging_product", "whatsapp");
        root.put("recipient_type", "individual");
        // with '+' and country code: without it Meta would prepend the business number's country code
        root.put("to", to.value());
        MessageContent c = content;
        if (content instanceof InReplyTo reply) {
            root.putObject("context").put("message_id", reply.messageId());
            c = reply.content();
        }
        // sealed interface: no pattern-matching switch in Java 17, so an if chain
        if (c instanceof Text text) {
            root.put("type", "text");
            root.set("text", text(text));
        } else if (c instanceof Template template) {
            root.put("type", "template");
            root.set("template", template(template));
        } else if (c instanceof Media media) {
            String type = kind(media.kind());
            root.put("type", type);
            root.set(type, media(media, true));
        } else if (c instanceof InteractiveButtons buttons) {
            root.put("type", "interactive");
            root.set("interactive", interactive(buttons));
        } else if (c instanceof Location location) {
            root.put("type", "location");
            root.set("location", location(location));
        } else if (c instanceof Contacts contacts) {
            root.put("type", "contacts");
            root.set("contacts", contacts(contacts));
        } else if (c instanceof Reaction reaction) {
            root.put("type", "reaction");
            root.putObject("reaction").put("message_id", reaction.messageId()).put("emoji", reaction.emoji());
        } else if (c instanceof InteractiveList list) {
            root.put("type", "interactive");
            root.set("interactive", list(list));
        } else if (c instanceof CallToActionUrl cta) {
            root.put("type", "interactive");
            root.set("interactive", callToAction(cta));
        } else {
            throw new IllegalArgumentException("unsupported content " + content.getClass().getName());
        }
        return root;
    }

    private ObjectNode text(Text text) {
        ObjectNode n = mapper.createObjectNode();
        n.put("preview_url", text.previewUrl());
        n.put("body", text.body());
        return n;
    }

    private ObjectNode template(Template template) {
        ObjectNode n = mapper.createObjectNode();
        n.put("name", template.name());
        n.putObject("language").put("code", template.language());
        if (template.components() != null) {
            try {
                n.set("components", mapper.readTree(template.components()));
            } catch (JsonProcessingException e) {
                // the store checked it at enqueue: only a row written around the outbox gets here
                throw new IllegalStateException("the stored template components are not JSON", e);
            }
            return n;
        }
        ArrayNode components = mapper.createArrayNode();
        Template.Header h = template.header();
        if (h != null) {
            ObjectNode param = components.addObject().put("type", "header").putArray("parameters").addObject();
            header(param, h);
        }
        if (!template.parameters().isEmpty()) {
            ObjectNode body = components.addObject();
            body.put("type", "body");
            ArrayNode params = body.putArray("parameters");
            for (Template.Parameter p : template.parameters()) {
                parameter(params.addObject(), p);
            }
        }
        for (Template.Button b : template.buttons()) {
            ObjectNode button = components.addObject();
            button.put("type", "button");
            button.put("sub_type", subType(b.type()));
            button.put("index", Integer.toString(b.index()));
            ObjectNode param = button.putArray("parameters").addObject();
            switch (b.type()) {
                case QUICK_REPLY -> param.put("type", "payload").put("payload", b.value());
                case COPY_CODE -> param.put("type", "coupon_code").put("coupon_code", b.value());
                case URL, ONE_TIME_PASSWORD -> param.put("type", "text").put("text", b.value());
                default -> throw new IllegalArgumentException("unknown button " + b.type());
            }
        }
        if (!components.isEmpty()) {
            n.set("components", components);
        }
        return n;
    }

    private static String subType(Template.Button.Type type) {
        return switch (type) {
            case URL, ONE_TIME_PASSWORD -> "url";
            case QUICK_REPLY -> "quick_reply";
            case COPY_CODE -> "copy_code";
        };
    }

    private static void parameter(ObjectNode param, Template.Parameter p) {
        switch (p.type()) {
            case TEXT -> {
                param.put("type", "text");
                if (p.isNamed()) {
                    param.put("parameter_name", p.name());
                }
                param.put("text", p.text());
            }
            case CURRENCY -> {
                param.put("type", "currency");
                if (p.isNamed()) {
                    param.put("parameter_name", p.name());
                }
                param.putObject("currency").put("fallback_value", p.text()).put("code", p.currencyCode())
                        .put("amount_1000", p.amount1000());
            }
            case DATE_TIME -> {
                param.put("type", "date_time");
                if (p.isNamed()) {
                    param.put("parameter_name", p.name());
                }
                param.putObject("date_time").put("fallback_value", p.text());
            }
            default -> throw new IllegalArgumentException("unknown parameter " + p.type());
        }
    }

    private void header(ObjectNode param, Template.Header h) {
        switch (h.type()) {
            case TEXT -> {
                param.put("type", "text");
                if (h.parameterName() != null) {
                    param.put("parameter_name", h.parameterName());
                }
                param.put("text", h.text());
            }
            case IMAGE, VIDEO, DOCUMENT -> {
                String type = h.type().name().toLowerCase(Locale.ROOT);
                param.put("type", type);
                ObjectNode media = param.putObject(type);
                if (h.mediaId() != null) {
                    media.put("id", h.mediaId());
                } else {
                    media.put("link", h.link().toString());
                }
                if (h.filename() != null) {
                    media.put("filename", h.filename());
                }
            }
            case LOCATION -> {
                param.put("type", "location");
                param.set("location", location(h.location()));
            }
            default -> throw new IllegalArgumentException("unknown header " + h.type());
        }
    }

    private static String kind(MediaKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private ObjectNode media(Media media, boolean withCaption) {
        ObjectNode n = mapper.createObjectNode();
        if (media.mediaId() != null) {
            n.put("id", media.mediaId());
        } else {
            n.put("link", media.link().toString());
        }
        if (withCaption && media.caption() != null) {
            n.put("caption", media.caption());
        }
        if (media.kind() == MediaKind.DOCUMENT && media.filename() != null) {
            n.put("filename", media.filename());
        }
        return n;
    }

    /** Meta's documented form: decimal degrees as strings. */
    private ObjectNode location(Location l) {
        ObjectNode n = mapper.createObjectNode();
        n.put("latitude", Double.toString(l.latitude()));
        n.put("longitude", Double.toString(l.longitude()));
        if (l.name() != null) {
            n.put("name", l.name());
        }
        if (l.address() != null) {
            n.put("address", l.address());
        }
        return n;
    }

    private ArrayNode contacts(Contacts contacts) {
        ArrayNode list = mapper.createArrayNode();
        for (Contacts.Contact c : contacts.contacts()) {
            ObjectNode n = list.addObject();
            if (!c.addresses().isEmpty()) {
                ArrayNode addresses = n.putArray("addresses");
                for (Contacts.Address a : c.addresses()) {
                    ObjectNode an = addresses.addObject();
                    put(an, "street", a.street());
                    put(an, "city", a.city());
                    put(an, "state", a.state());
                    put(an, "zip", a.zip());
                    put(an, "country", a.country());
                    put(an, "country_code", a.countryCode());
                    put(an, "type", a.type());
                }
            }
            put(n, "birthday", c.birthday());
            if (!c.emails().isEmpty()) {
                ArrayNode emails = n.putArray("emails");
                c.emails().forEach(e -> put(put(emails.addObject(), "email", e.email()), "type", e.type()));
            }
            ObjectNode name = n.putObject("name");
            put(name, "formatted_name", c.name().formattedName());
            put(name, "first_name", c.name().firstName());
            put(name, "last_name", c.name().lastName());
            put(name, "middle_name", c.name().middleName());
            put(name, "suffix", c.name().suffix());
            put(name, "prefix", c.name().prefix());
            if (c.org() != null) {
                ObjectNode org = n.putObject("org");
                put(org, "company", c.org().company());
                put(org, "department", c.org().department());
                put(org, "title", c.org().title());
            }
            if (!c.phones().isEmpty()) {
                ArrayNode phones = n.putArray("phones");
                for (Contacts.Phone p : c.phones()) {
                    ObjectNode pn = phones.addObject();
                    put(pn, "phone", p.phone());
                    put(pn, "type", p.type());
                    put(pn, "wa_id", p.waId());
                }
            }
            if (!c.urls().isEmpty()) {
                ArrayNode urls = n.putArray("urls");
                c.urls().forEach(u -> put(put(urls.addObject(), "url", u.url()), "type", u.type()));
            }
        }
        return list;
    }

    private ObjectNode interactive(InteractiveButtons buttons) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", "button");
        frame(n, buttons.header(), buttons.headerMedia(), buttons.body(), buttons.footer());
        ArrayNode list = n.putObject("action").putArray("buttons");
        for (ReplyButton b : buttons.buttons()) {
            ObjectNode button = list.addObject();
            button.put("type", "reply");
            ObjectNode reply = button.putObject("reply");
            reply.put("id", b.id());
            reply.put("title", b.title());
        }
        return n;
    }

    private ObjectNode list(InteractiveList list) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", "list");
        frame(n, list.header(), null, list.body(), list.footer());
        ObjectNode action = n.putObject("action");
        action.put("button", list.button());
        ArrayNode sections = action.putArray("sections");
        for (InteractiveList.Section s : list.sections()) {
            ObjectNode section = sections.addObject();
            put(section, "title", s.title());
            ArrayNode rows = section.putArray("rows");
            for (InteractiveList.Row r : s.rows()) {
                put(rows.addObject().put("id", r.id()).put("title", r.title()), "description", r.description());
            }
        }
        return n;
    }

    private ObjectNode callToAction(CallToActionUrl cta) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", "cta_url");
        frame(n, cta.header(), cta.headerMedia(), cta.body(), cta.footer());
        ObjectNode action = n.putObject("action");
        action.put("name", "cta_url");
        action.putObject("parameters").put("display_text", cta.displayText()).put("url", cta.url().toString());
        return n;
    }

    /** Header (text or media), body and footer, in the order of Meta's examples. */
    private void frame(ObjectNode n, String header, Media headerMedia, String body, String footer) {
        if (header != null) {
            ObjectNode h = n.putObject("header");
            h.put("type", "text");
            h.put("text", header);
        } else if (headerMedia != null) {
            String type = kind(headerMedia.kind());
            ObjectNode h = n.putObject("header");
            h.put("type", type);
            h.set(type, media(headerMedia, false));
        }
        n.putObject("body").put("text", body);
        if (footer != null) {
            n.putObject("footer").put("text", footer);
        }
    }

    private static ObjectNode put(ObjectNode n, String field, String value) {
        if (value != null) {
            n.put(field, value);
        }
        return n;
    }
}

package io.whatsappoutbox.jdbc.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.CallToActionUrl;
import io.whatsappoutbox.core.ContentType;
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
import io.whatsappoutbox.core.Reaction;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes message content to {@code payload_json} and reads it back. The five shapes stored before
 * V3 (text, body-only template, image, document, reply buttons) are written as they were; the
 * other types and parts add fields of their own. Internal.
 */
public final class ContentCodec {
    private static final byte JSONB_VERSION = 1;
    private static final String REPLY_TO = "replyTo";
    private final ObjectMapper json = new ObjectMapper();
    private final TemplateComponentsShape components = new TemplateComponentsShape(json);

    /**
     * @throws io.whatsappoutbox.core.InvalidInputException when a template's Meta components are
     *     not JSON of Meta's shape: the last check of a request, made where JSON is parsed
     */
    public String encode(MessageContent content) {
        ObjectNode o = json.createObjectNode();
        MessageContent c = content;
        if (content instanceof InReplyTo r) {
            c = r.content();
        }
        if (c instanceof Text t) {
            o.put("body", t.body());
            o.put("previewUrl", t.previewUrl());
        } else if (c instanceof Template t) {
            TemplateCodec.encode(o, t, components);
        } else if (c instanceof Media m) {
            media(o, m);
        } else if (c instanceof InteractiveButtons i) {
            o.put("body", i.body());
            putIfPresent(o, "header", i.header());
            putIfPresent(o, "footer", i.footer());
            ArrayNode buttons = o.putArray("buttons");
            for (ReplyButton b : i.buttons()) {
                buttons.addObject().put("id", b.id()).put("title", b.title());
            }
            if (i.headerMedia() != null) {
                headerMedia(o, i.headerMedia());
            }
        } else if (c instanceof Location l) {
            location(o, l);
        } else if (c instanceof Contacts k) {
            contacts(o, k);
        } else if (c instanceof Reaction r) {
            o.put("messageId", r.messageId());
            o.put("emoji", r.emoji());
        } else if (c instanceof InteractiveList l) {
            o.put("body", l.body());
            o.put("button", l.button());
            putIfPresent(o, "header", l.header());
            putIfPresent(o, "footer", l.footer());
            ArrayNode sections = o.putArray("sections");
            for (InteractiveList.Section s : l.sections()) {
                ObjectNode section = sections.addObject();
                putIfPresent(section, "title", s.title());
                ArrayNode rows = section.putArray("rows");
                for (InteractiveList.Row r : s.rows()) {
                    ObjectNode row = rows.addObject().put("id", r.id()).put("title", r.title());
                    putIfPresent(row, "description", r.description());
                }
            }
        } else if (c instanceof CallToActionUrl a) {
            o.put("body", a.body());
            o.put("displayText", a.displayText());
            o.put("url", a.url().toString());
            putIfPresent(o, "header", a.header());
            putIfPresent(o, "footer", a.footer());
            if (a.headerMedia() != null) {
                headerMedia(o, a.headerMedia());
            }
        } else {
            throw new IllegalArgumentException("unknown content " + content.getClass());
        }
        if (content instanceof InReplyTo r) {
            o.put(REPLY_TO, r.messageId());
        }
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode content", e);
        }
    }

    private static void media(ObjectNode o, Media m) {
        putIfPresent(o, "id", m.mediaId());
        putIfPresent(o, "link", m.link() == null ? null : m.link().toString());
        putIfPresent(o, "caption", m.caption());
        putIfPresent(o, "filename", m.filename());
    }

    private static void headerMedia(ObjectNode o, Media m) {
        ObjectNode n = o.putObject("headerMedia").put("kind", m.kind().name());
        media(n, m);
    }

    static void location(ObjectNode o, Location l) {
        o.put("latitude", l.latitude());
        o.put("longitude", l.longitude());
        putIfPresent(o, "name", l.name());
        putIfPresent(o, "address", l.address());
    }

    private static void contacts(ObjectNode o, Contacts k) {
        ArrayNode list = o.putArray("contacts");
        for (Contacts.Contact c : k.contacts()) {
            ObjectNode n = list.addObject();
            Contacts.Name name = c.name();
            ObjectNode nn = n.putObject("name");
            putIfPresent(nn, "formattedName", name.formattedName());
            putIfPresent(nn, "firstName", name.firstName());
            putIfPresent(nn, "lastName", name.lastName());
            putIfPresent(nn, "middleName", name.middleName());
            putIfPresent(nn, "suffix", name.suffix());
            putIfPresent(nn, "prefix", name.prefix());
            ArrayNode phones = n.putArray("phones");
            for (Contacts.Phone p : c.phones()) {
                ObjectNode pn = phones.addObject();
                putIfPresent(pn, "phone", p.phone());
                putIfPresent(pn, "type", p.type());
                putIfPresent(pn, "waId", p.waId());
            }
            ArrayNode emails = n.putArray("emails");
            for (Contacts.Email e : c.emails()) {
                putIfPresent(putIfPresent(emails.addObject(), "email", e.email()), "type", e.type());
            }
            ArrayNode urls = n.putArray("urls");
            for (Contacts.Url u : c.urls()) {
                putIfPresent(putIfPresent(urls.addObject(), "url", u.url()), "type", u.type());
            }
            ArrayNode addresses = n.putArray("addresses");
            for (Contacts.Address a : c.addresses()) {
                ObjectNode an = addresses.addObject();
                putIfPresent(an, "street", a.street());
                putIfPresent(an, "city", a.city());
                putIfPresent(an, "state", a.state());
                putIfPresent(an, "zip", a.zip());
                putIfPresent(an, "country", a.country());
                putIfPresent(an, "countryCode", a.countryCode());
                putIfPresent(an, "type", a.type());
            }
            if (c.org() != null) {
                ObjectNode on = n.putObject("org");
                putIfPresent(on, "company", c.org().company());
                putIfPresent(on, "department", c.org().department());
                putIfPresent(on, "title", c.org().title());
            }
            putIfPresent(n, "birthday", c.birthday());
        }
    }

    /**
     * Reads what {@link #encode} wrote, with the streaming parser: every claimed row is decoded
     * here, and building a JSON tree first cost a quarter of the dispatcher's own CPU time. It takes
     * the column's bytes as the server sent them, UTF-8: parsing them costs less than decoding them
     * into a string first and parsing that.
     */
    public MessageContent decode(ContentType type, byte[] storedUtf8) {
        // jsonb in binary transfer is a version byte, 1, then the text; JSON text never starts with it
        int from = storedUtf8.length > 0 && storedUtf8[0] == JSONB_VERSION ? 1 : 0;
        StoredFields o;
        try (JsonParser p = json.getFactory().createParser(storedUtf8, from, storedUtf8.length - from)) {
            o = StoredFields.read(p);
        } catch (IOException e) {
            throw new IllegalStateException("stored payload_json is not JSON", e);
        }
        MessageContent content = switch (type) {
            case TEXT -> new Text(o.text("body"), Boolean.parseBoolean(o.text("previewUrl")));
            case TEMPLATE -> TemplateCodec.decode(o);
            case IMAGE, DOCUMENT, VIDEO, AUDIO, STICKER -> media(kind(type), o);
            case INTERACTIVE_BUTTONS -> {
                List<ReplyButton> buttons = new ArrayList<>();
                for (StoredFields b : o.list("buttons")) {
                    buttons.add(new ReplyButton(b.text("id"), b.text("title")));
                }
                yield new InteractiveButtons(o.text("body"), buttons, o.text("header"), o.text("footer"),
                        headerMedia(o.object("headerMedia")));
            }
            case LOCATION -> location(o);
            case CONTACTS -> contacts(o);
            case REACTION -> new Reaction(o.text("messageId"), o.text("emoji"));
            case INTERACTIVE_LIST -> {
                List<InteractiveList.Section> sections = new ArrayList<>();
                for (StoredFields s : o.list("sections")) {
                    List<InteractiveList.Row> rows = new ArrayList<>();
                    for (StoredFields r : s.list("rows")) {
                        rows.add(new InteractiveList.Row(r.text("id"), r.text("title"), r.text("description")));
                    }
                    sections.add(new InteractiveList.Section(s.text("title"), rows));
                }
                yield new InteractiveList(o.text("body"), o.text("button"), sections, o.text("header"),
                        o.text("footer"));
            }
            case INTERACTIVE_CTA_URL -> new CallToActionUrl(o.text("body"), o.text("displayText"), uri(o.text("url")),
                    o.text("header"), headerMedia(o.object("headerMedia")), o.text("footer"));
        };
        String replyTo = o.text(REPLY_TO);
        return replyTo == null ? content : new InReplyTo(replyTo, content);
    }

    private static MediaKind kind(ContentType type) {
        return switch (type) {
            case DOCUMENT -> MediaKind.DOCUMENT;
            case VIDEO -> MediaKind.VIDEO;
            case AUDIO -> MediaKind.AUDIO;
            case STICKER -> MediaKind.STICKER;
            default -> MediaKind.IMAGE;
        };
    }

    private static Media media(MediaKind kind, StoredFields o) {
        return new Media(kind, o.text("id"), uri(o.text("link")), o.text("caption"), o.text("filename"));
    }

    private static Media headerMedia(StoredFields o) {
        return o == null ? null : media(MediaKind.valueOf(o.text("kind")), o);
    }

    static Location location(StoredFields o) {
        return new Location(Double.parseDouble(o.text("latitude")), Double.parseDouble(o.text("longitude")),
                o.text("name"), o.text("address"));
    }

    private static Contacts contacts(StoredFields o) {
        List<Contacts.Contact> contacts = new ArrayList<>();
        for (StoredFields c : o.list("contacts")) {
            StoredFields n = c.object("name");
            Contacts.Name name = n == null ? null : new Contacts.Name(n.text("formattedName"), n.text("firstName"),
                    n.text("lastName"), n.text("middleName"), n.text("suffix"), n.text("prefix"));
            List<Contacts.Phone> phones = new ArrayList<>();
            for (StoredFields p : c.list("phones")) {
                phones.add(new Contacts.Phone(p.text("phone"), p.text("type"), p.text("waId")));
            }
            List<Contacts.Email> emails = new ArrayList<>();
            for (StoredFields e : c.list("emails")) {
                emails.add(new Contacts.Email(e.text("email"), e.text("type")));
            }
            List<Contacts.Url> urls = new ArrayList<>();
            for (StoredFields u : c.list("urls")) {
                urls.add(new Contacts.Url(u.text("url"), u.text("type")));
            }
            List<Contacts.Address> addresses = new ArrayList<>();
            for (StoredFields a : c.list("addresses")) {
                addresses.add(new Contacts.Address(a.text("street"), a.text("city"), a.text("state"), a.text("zip"),
                        a.text("country"), a.text("countryCode"), a.text("type")));
            }
            StoredFields org = c.object("org");
            contacts.add(new Contacts.Contact(name, phones, emails, urls, addresses, org == null ? null
                    : new Contacts.Organization(org.text("company"), org.text("department"), org.text("title")),
                    c.text("birthday")));
        }
        return new Contacts(contacts);
    }

    static URI uri(String value) {
        return value == null ? null : URI.create(value);
    }

    static ObjectNode putIfPresent(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
        return o;
    }
}

package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.CallToActionUrl;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.Contacts;
import io.whatsappoutbox.core.InReplyTo;
import io.whatsappoutbox.core.InteractiveList;
import io.whatsappoutbox.core.Location;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.MediaKind;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Reaction;
import io.whatsappoutbox.core.Template;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A stable digest of a message's channel, recipient, content and business reference, built from
 * a length-prefixed encoding so that no two different messages encode alike. Internal.
 */
public final class Fingerprint {
    private Fingerprint() {}

    public static String of(Channel channel, PhoneNumber to, MessageContent content, String dossierId) {
        StringBuilder out = new StringBuilder(256);
        // the shapes stored before V3 keep their v1 digest: an old key enqueued again is no conflict
        boolean v1 = isV1(content);
        field(out, v1 ? "v1" : "v2");
        field(out, channel.name());
        field(out, to.value());
        field(out, dossierId);
        if (v1) {
            encodeV1(out, content);
        } else {
            encode(out, content);
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(out.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** Upper bound of the stored size of a content, in UTF-8 bytes. */
    public static int estimatedBytes(MessageContent content) {
        StringBuilder out = new StringBuilder(256);
        if (isV1(content)) {
            encodeV1(out, content);
        } else {
            encode(out, content);
        }
        // worst case: every character takes 4 bytes in UTF-8 once escaped in JSON
        return out.toString().getBytes(StandardCharsets.UTF_8).length + 256;
    }

    /** Text, body-only templates, images, documents and reply buttons with no media header. */
    static boolean isV1(MessageContent content) {
        if (content instanceof Template t) {
            return t.hasBodyOnly();
        }
        if (content instanceof MessageContent.Media m) {
            return m.kind() == MediaKind.IMAGE || m.kind() == MediaKind.DOCUMENT;
        }
        if (content instanceof MessageContent.InteractiveButtons i) {
            return i.headerMedia() == null;
        }
        return content instanceof MessageContent.Text;
    }

    private static void encodeV1(StringBuilder out, MessageContent content) {
        field(out, content.type().name());
        if (content instanceof MessageContent.Text t) {
            field(out, t.body());
            field(out, Boolean.toString(t.previewUrl()));
        } else if (content instanceof Template t) {
            field(out, t.name());
            field(out, t.language());
            for (Template.Parameter p : t.parameters()) {
                field(out, p == null ? null : p.name());
                field(out, p == null ? null : p.text());
            }
        } else if (content instanceof MessageContent.Media m) {
            field(out, m.mediaId());
            field(out, m.link() == null ? null : m.link().toString());
            field(out, m.caption());
            field(out, m.filename());
        } else if (content instanceof MessageContent.InteractiveButtons i) {
            field(out, i.body());
            field(out, i.header());
            field(out, i.footer());
            for (MessageContent.ReplyButton b : i.buttons()) {
                field(out, b == null ? null : b.id());
                field(out, b == null ? null : b.title());
            }
        }
    }

    /**
     * Every field of every kind, lists prefixed by their size, so that no two contents encode
     * alike. Field order is fixed: adding a field appends it.
     */
    private static void encode(StringBuilder out, MessageContent content) {
        field(out, content == null ? null : content.getClass().getSimpleName());
        if (content instanceof MessageContent.Text t) {
            field(out, t.body());
            field(out, Boolean.toString(t.previewUrl()));
        } else if (content instanceof Template t) {
            field(out, t.name());
            field(out, t.language());
            count(out, t.parameters());
            for (Template.Parameter p : t.parameters()) {
                parameter(out, p);
            }
            Template.Header h = t.header();
            field(out, h == null ? null : String.valueOf(h.type()));
            if (h != null) {
                field(out, h.parameterName());
                field(out, h.text());
                field(out, h.mediaId());
                field(out, link(h.link()));
                field(out, h.filename());
                location(out, h.location());
            }
            count(out, t.buttons());
            for (Template.Button b : t.buttons()) {
                field(out, b == null ? null : String.valueOf(b.type()));
                field(out, b == null ? null : Integer.toString(b.index()));
                field(out, b == null ? null : b.value());
            }
            field(out, t.components());
        } else if (content instanceof MessageContent.Media m) {
            media(out, m);
        } else if (content instanceof MessageContent.InteractiveButtons i) {
            field(out, i.body());
            field(out, i.header());
            field(out, i.footer());
            media(out, i.headerMedia());
            count(out, i.buttons());
            for (MessageContent.ReplyButton b : i.buttons()) {
                field(out, b == null ? null : b.id());
                field(out, b == null ? null : b.title());
            }
        } else if (content instanceof Location l) {
            location(out, l);
        } else if (content instanceof Contacts c) {
            contacts(out, c);
        } else if (content instanceof Reaction r) {
            field(out, r.messageId());
            field(out, r.emoji());
        } else if (content instanceof InteractiveList l) {
            field(out, l.body());
            field(out, l.button());
            field(out, l.header());
            field(out, l.footer());
            count(out, l.sections());
            for (InteractiveList.Section s : l.sections()) {
                field(out, s == null ? null : s.title());
                count(out, s == null ? List.of() : s.rows());
                for (InteractiveList.Row r : s == null ? List.<InteractiveList.Row>of() : s.rows()) {
                    field(out, r == null ? null : r.id());
                    field(out, r == null ? null : r.title());
                    field(out, r == null ? null : r.description());
                }
            }
        } else if (content instanceof CallToActionUrl c) {
            field(out, c.body());
            field(out, c.displayText());
            field(out, link(c.url()));
            field(out, c.header());
            media(out, c.headerMedia());
            field(out, c.footer());
        } else if (content instanceof InReplyTo r) {
            field(out, r.messageId());
            encode(out, r.content());
        }
    }

    private static void parameter(StringBuilder out, Template.Parameter p) {
        field(out, p == null ? null : p.name());
        field(out, p == null ? null : p.text());
        field(out, p == null ? null : p.type().name());
        field(out, p == null ? null : p.currencyCode());
        field(out, p == null || p.amount1000() == null ? null : Long.toString(p.amount1000()));
    }

    private static void media(StringBuilder out, MessageContent.Media m) {
        field(out, m == null || m.kind() == null ? null : m.kind().name());
        if (m != null) {
            field(out, m.mediaId());
            field(out, link(m.link()));
            field(out, m.caption());
            field(out, m.filename());
        }
    }

    private static void location(StringBuilder out, Location l) {
        field(out, l == null ? null : Double.toString(l.latitude()));
        if (l != null) {
            field(out, Double.toString(l.longitude()));
            field(out, l.name());
            field(out, l.address());
        }
    }

    private static void contacts(StringBuilder out, Contacts c) {
        count(out, c.contacts());
        for (Contacts.Contact k : c.contacts()) {
            if (k == null) {
                field(out, null);
                continue;
            }
            Contacts.Name n = k.name();
            field(out, n == null ? null : n.formattedName());
            if (n != null) {
                fields(out, n.firstName(), n.lastName(), n.middleName(), n.suffix(), n.prefix());
            }
            count(out, k.phones());
            k.phones().forEach(p -> fields(out, p == null ? null : p.phone(), p == null ? null : p.type(),
                    p == null ? null : p.waId()));
            count(out, k.emails());
            k.emails().forEach(e -> fields(out, e == null ? null : e.email(), e == null ? null : e.type()));
            count(out, k.urls());
            k.urls().forEach(u -> fields(out, u == null ? null : u.url(), u == null ? null : u.type()));
            count(out, k.addresses());
            k.addresses().forEach(a -> {
                if (a == null) {
                    field(out, null);
                } else {
                    fields(out, "address", a.street(), a.city(), a.state(), a.zip(), a.country(), a.countryCode(),
                            a.type());
                }
            });
            Contacts.Organization o = k.org();
            field(out, o == null ? null : "org");
            if (o != null) {
                fields(out, o.company(), o.department(), o.title());
            }
            field(out, k.birthday());
        }
    }

    private static void fields(StringBuilder out, String... values) {
        for (String value : values) {
            field(out, value);
        }
    }

    private static void count(StringBuilder out, List<?> list) {
        out.append('#').append(list.size()).append(':');
    }

    private static String link(java.net.URI link) {
        return link == null ? null : link.toString();
    }

    private static void field(StringBuilder out, String value) {
        if (value == null) {
            out.append("-1:");
        } else {
            out.append(value.length()).append(':').append(value);
        }
    }
}

package io.whatsappoutbox.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.MediaKind;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.MessageContent.Template;
import io.whatsappoutbox.core.MessageContent.TemplateParameter;
import io.whatsappoutbox.core.MessageContent.Text;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** Writes message content to {@code payload_json} and reads it back. Internal. */
public final class ContentCodec {
    private final ObjectMapper json = new ObjectMapper();

    public String encode(MessageContent content) {
        ObjectNode o = json.createObjectNode();
        if (content instanceof Text t) {
            o.put("body", t.body());
            o.put("previewUrl", t.previewUrl());
        } else if (content instanceof Template t) {
            o.put("name", t.name());
            o.put("language", t.language());
            ArrayNode params = o.putArray("parameters");
            for (TemplateParameter p : t.parameters()) {
                ObjectNode n = params.addObject();
                if (p.isNamed()) {
                    n.put("name", p.name());
                }
                n.put("text", p.text());
            }
        } else if (content instanceof Media m) {
            putIfPresent(o, "id", m.mediaId());
            putIfPresent(o, "link", m.link() == null ? null : m.link().toString());
            putIfPresent(o, "caption", m.caption());
            putIfPresent(o, "filename", m.filename());
        } else if (content instanceof InteractiveButtons i) {
            o.put("body", i.body());
            putIfPresent(o, "header", i.header());
            putIfPresent(o, "footer", i.footer());
            ArrayNode buttons = o.putArray("buttons");
            for (ReplyButton b : i.buttons()) {
                buttons.addObject().put("id", b.id()).put("title", b.title());
            }
        } else {
            throw new IllegalArgumentException("unknown content " + content.getClass());
        }
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode content", e);
        }
    }

    public MessageContent decode(ContentType type, String payload) {
        JsonNode o;
        try {
            o = json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored payload_json is not JSON", e);
        }
        return switch (type) {
            case TEXT -> new Text(text(o, "body"), o.path("previewUrl").asBoolean(false));
            case TEMPLATE -> {
                List<TemplateParameter> params = new ArrayList<>();
                for (JsonNode p : o.path("parameters")) {
                    params.add(new TemplateParameter(text(p, "name"), text(p, "text")));
                }
                yield new Template(text(o, "name"), text(o, "language"), params);
            }
            case IMAGE, DOCUMENT -> new Media(type == ContentType.IMAGE ? MediaKind.IMAGE : MediaKind.DOCUMENT,
                    text(o, "id"), o.hasNonNull("link") ? URI.create(o.get("link").asText()) : null,
                    text(o, "caption"), text(o, "filename"));
            case INTERACTIVE_BUTTONS -> {
                List<ReplyButton> buttons = new ArrayList<>();
                for (JsonNode b : o.path("buttons")) {
                    buttons.add(new ReplyButton(text(b, "id"), text(b, "title")));
                }
                yield new InteractiveButtons(text(o, "body"), buttons, text(o, "header"), text(o, "footer"));
            }
        };
    }

    private static void putIfPresent(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}

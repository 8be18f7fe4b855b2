package io.whatsappoutbox.jdbc.internal;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** Writes message content to {@code payload_json} and reads it back. Internal. */
public final class ContentCodec {
    private static final byte JSONB_VERSION = 1;
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

    /**
     * Reads what {@link #encode} wrote, with the streaming parser: every claimed row is decoded
     * here, and building a JSON tree first cost a quarter of the dispatcher's own CPU time. It takes
     * the column's bytes as the server sent them, UTF-8: parsing them costs less than decoding them
     * into a string first and parsing that.
     */
    public MessageContent decode(ContentType type, byte[] storedUtf8) {
        // jsonb in binary transfer is a version byte, 1, then the text; JSON text never starts with it
        int from = storedUtf8.length > 0 && storedUtf8[0] == JSONB_VERSION ? 1 : 0;
        Fields o;
        try (JsonParser p = json.getFactory().createParser(storedUtf8, from, storedUtf8.length - from)) {
            o = Fields.read(p);
        } catch (IOException e) {
            throw new IllegalStateException("stored payload_json is not JSON", e);
        }
        return switch (type) {
            case TEXT -> new Text(o.text("body"), Boolean.parseBoolean(o.text("previewUrl")));
            case TEMPLATE -> {
                List<TemplateParameter> params = new ArrayList<>();
                for (Fields p : o.list("parameters")) {
                    params.add(new TemplateParameter(p.text("name"), p.text("text")));
                }
                yield new Template(o.text("name"), o.text("language"), params);
            }
            case IMAGE, DOCUMENT -> new Media(type == ContentType.IMAGE ? MediaKind.IMAGE : MediaKind.DOCUMENT,
                    o.text("id"), o.text("link") != null ? URI.create(o.text("link")) : null,
                    o.text("caption"), o.text("filename"));
            case INTERACTIVE_BUTTONS -> {
                List<ReplyButton> buttons = new ArrayList<>();
                for (Fields b : o.list("buttons")) {
                    buttons.add(new ReplyButton(b.text("id"), b.text("title")));
                }
                yield new InteractiveButtons(o.text("body"), buttons, o.text("header"), o.text("footer"));
            }
        };
    }

    /**
     * One stored object: its scalar fields as text (null for JSON null), and its arrays of objects.
     * Nested objects are skipped: the stored shapes have none. A stored object has at most a handful
     * of fields, so they are kept in order and searched, not hashed (every claimed row is read here).
     */
    private record Fields(List<String> names, List<String> texts, List<String> listNames, List<List<Fields>> lists) {
        static Fields read(JsonParser p) throws IOException {
            if (p.currentToken() == null) {
                p.nextToken();
            }
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "stored payload_json is not an object");
            }
            Fields o = new Fields(new ArrayList<>(4), new ArrayList<>(4), new ArrayList<>(1), new ArrayList<>(1));
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_ARRAY) {
                    List<Fields> items = new ArrayList<>();
                    for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                        if (item == JsonToken.START_OBJECT) {
                            items.add(read(p));
                        } else {
                            p.skipChildren();
                        }
                    }
                    o.listNames.add(name);
                    o.lists.add(items);
                } else if (t == JsonToken.START_OBJECT) {
                    p.skipChildren();
                } else if (t != JsonToken.VALUE_NULL) {
                    o.names.add(name);
                    o.texts.add(p.getText());
                }
            }
            return o;
        }

        /** The last value written for {@code field}, as a JSON object keeps the last of a repeated key. */
        String text(String field) {
            int i = names.lastIndexOf(field);
            return i < 0 ? null : texts.get(i);
        }

        List<Fields> list(String field) {
            int i = listNames.lastIndexOf(field);
            return i < 0 ? List.of() : lists.get(i);
        }
    }

    private static void putIfPresent(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }
}

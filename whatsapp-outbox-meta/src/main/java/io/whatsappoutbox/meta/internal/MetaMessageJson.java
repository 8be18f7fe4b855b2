package io.whatsappoutbox.meta.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.MediaKind;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.MessageContent.Template;
import io.whatsappoutbox.core.MessageContent.TemplateParameter;
import io.whatsappoutbox.core.MessageContent.Text;
import io.whatsappoutbox.core.PhoneNumber;

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
        // sealed interface: no pattern-matching switch in Java 17, so an if chain
        if (content instanceof Text text) {
            root.put("type", "text");
            root.set("text", text(text));
        } else if (content instanceof Template template) {
            root.put("type", "template");
            root.set("template", template(template));
        } else if (content instanceof Media media) {
            String type = media.kind() == MediaKind.DOCUMENT ? "document" : "image";
            root.put("type", type);
            root.set(type, media(media));
        } else if (content instanceof InteractiveButtons buttons) {
            root.put("type", "interactive");
            root.set("interactive", interactive(buttons));
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
        if (!template.parameters().isEmpty()) {
            ObjectNode body = n.putArray("components").addObject();
            body.put("type", "body");
            ArrayNode params = body.putArray("parameters");
            for (TemplateParameter p : template.parameters()) {
                ObjectNode param = params.addObject();
                param.put("type", "text");
                if (p.isNamed()) {
                    param.put("parameter_name", p.name());
                }
                param.put("text", p.text());
            }
        }
        return n;
    }

    private ObjectNode media(Media media) {
        ObjectNode n = mapper.createObjectNode();
        if (media.mediaId() != null) {
            n.put("id", media.mediaId());
        } else {
            n.put("link", media.link().toString());
        }
        if (media.caption() != null) {
            n.put("caption", media.caption());
        }
        if (media.kind() == MediaKind.DOCUMENT && media.filename() != null) {
            n.put("filename", media.filename());
        }
        return n;
    }

    private ObjectNode interactive(InteractiveButtons buttons) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", "button");
        if (buttons.header() != null) {
            ObjectNode header = n.putObject("header");
            header.put("type", "text");
            header.put("text", buttons.header());
        }
        n.putObject("body").put("text", buttons.body());
        if (buttons.footer() != null) {
            n.putObject("footer").put("text", buttons.footer());
        }
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
}

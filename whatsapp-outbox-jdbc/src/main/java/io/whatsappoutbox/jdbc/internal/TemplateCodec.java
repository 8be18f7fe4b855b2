package io.whatsappoutbox.jdbc.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.Template;
import java.util.ArrayList;
import java.util.List;

/** A template's stored shape: its parameters, header, buttons and Meta components. */
final class TemplateCodec {
    private TemplateCodec() {}

    static void encode(ObjectNode o, Template t, TemplateComponentsShape components) {
        o.put("name", t.name());
        o.put("language", t.language());
        ArrayNode params = o.putArray("parameters");
        for (Template.Parameter p : t.parameters()) {
            ObjectNode n = params.addObject();
            if (p.isNamed()) {
                n.put("name", p.name());
            }
            n.put("text", p.text());
            if (p.type() != Template.Parameter.Type.TEXT) {
                n.put("type", p.type().name());
                ContentCodec.putIfPresent(n, "code", p.currencyCode());
                if (p.amount1000() != null) {
                    n.put("amount1000", p.amount1000());
                }
            }
        }
        Template.Header h = t.header();
        if (h != null) {
            ObjectNode n = o.putObject("header").put("type", h.type().name());
            ContentCodec.putIfPresent(n, "name", h.parameterName());
            ContentCodec.putIfPresent(n, "text", h.text());
            ContentCodec.putIfPresent(n, "id", h.mediaId());
            ContentCodec.putIfPresent(n, "link", h.link() == null ? null : h.link().toString());
            ContentCodec.putIfPresent(n, "filename", h.filename());
            if (h.location() != null) {
                ContentCodec.location(n.putObject("location"), h.location());
            }
        }
        if (!t.buttons().isEmpty()) {
            ArrayNode buttons = o.putArray("buttons");
            for (Template.Button b : t.buttons()) {
                buttons.addObject().put("type", b.type().name()).put("index", b.index()).put("value", b.value());
            }
        }
        if (t.components() != null) {
            components.check(t.components(), "template.components");
            o.put("components", t.components());
        }
    }

    static Template decode(StoredFields o) {
        List<StoredFields> stored = o.list("parameters");
        List<Template.Parameter> params = new ArrayList<>(stored.size());
        for (StoredFields p : stored) {
            String type = p.text("type");
            String amount = p.text("amount1000");
            params.add(type == null ? new Template.Parameter(p.text("name"), p.text("text"))
                    : new Template.Parameter(p.text("name"), p.text("text"), Template.Parameter.Type.valueOf(type),
                            p.text("code"), amount == null ? null : Long.valueOf(amount)));
        }
        StoredFields h = o.object("header");
        Template.Header header = h == null ? null : new Template.Header(Template.Header.Type.valueOf(h.text("type")),
                h.text("name"), h.text("text"), h.text("id"), ContentCodec.uri(h.text("link")), h.text("filename"),
                h.object("location") == null ? null : ContentCodec.location(h.object("location")));
        stored = o.list("buttons");
        List<Template.Button> buttons = stored.isEmpty() ? List.of() : new ArrayList<>(stored.size());
        for (StoredFields b : stored) {
            buttons.add(new Template.Button(Template.Button.Type.valueOf(b.text("type")), Integer.parseInt(b.text("index")),
                    b.text("value")));
        }
        return new Template(o.text("name"), o.text("language"), params, header, buttons, o.text("components"));
    }
}

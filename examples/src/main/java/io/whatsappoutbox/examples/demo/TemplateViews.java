package io.whatsappoutbox.examples.demo;

import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.jdbc.TemplateRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The template registry as the serve mode and the CLI's --json show it: camelCase fields. */
public final class TemplateViews {
    private TemplateViews() {}

    public static Map<String, Object> template(TemplateDefinition d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", d.id());
        out.put("name", d.name());
        out.put("language", d.language());
        out.put("status", d.status().name());
        out.put("sendable", d.status().sendable());
        out.put("category", d.category().name());
        out.put("parameterFormat", d.parameterFormat().name());
        if (d.header() == null) {
            out.put("header", null);
        } else {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("format", d.header().format().name());
            h.put("parameterName", d.header().parameterName());
            out.put("header", h);
        }
        out.put("bodyParameters", d.bodyParameters());
        List<Map<String, Object>> buttons = new ArrayList<>();
        for (TemplateDefinition.Button b : d.buttons()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", b.index());
            m.put("type", b.type());
            m.put("takesParameter", b.takesParameter());
            buttons.add(m);
        }
        out.put("buttons", buttons);
        out.put("quality", d.quality());
        out.put("reason", d.reason());
        out.put("updatedAt", d.updatedAt() == null ? null : d.updatedAt().toString());
        return out;
    }

    public static Map<String, Object> list(String orgId, java.util.Optional<java.time.Instant> lastSync,
            List<TemplateDefinition> templates) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orgId", orgId);
        out.put("lastSync", lastSync.map(Object::toString).orElse(null));
        out.put("templates", templates.stream().map(TemplateViews::template).toList());
        return out;
    }

    public static Map<String, Object> sync(TemplateRegistry.SyncReport r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orgId", r.orgId());
        out.put("templates", r.templates());
        out.put("previous", r.previous());
        out.put("syncedAt", r.syncedAt().toString());
        return out;
    }
}

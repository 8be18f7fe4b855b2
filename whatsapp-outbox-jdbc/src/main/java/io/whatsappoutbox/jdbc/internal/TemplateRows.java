package io.whatsappoutbox.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.TemplateDefinition;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code whatsapp_template} rows to and from {@link TemplateDefinition}. Internal. */
final class TemplateRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String COLUMNS = "t.org_id, t.name, t.language, t.template_id, t.status, t.category, "
            + "t.parameter_format, t.header_format, t.header_parameter, t.body_parameters, t.buttons::text AS buttons, "
            + "t.quality, t.reason, t.updated_at";

    static final String LIST = "SELECT " + COLUMNS + " FROM whatsapp_template t WHERE t.org_id = :org"
            + " ORDER BY t.name, t.language";

    static final String FIND = "SELECT " + COLUMNS + " FROM whatsapp_template t"
            + " WHERE t.org_id = :org AND t.name = :name AND t.language = :language";

    static final String COUNT = "SELECT count(*) FROM whatsapp_template WHERE org_id = :org";

    static final String DELETE_ORG = "DELETE FROM whatsapp_template WHERE org_id = :org";

    static final String INSERT = """
            INSERT INTO whatsapp_template (org_id, name, language, template_id, status, category, parameter_format,
                header_format, header_parameter, body_parameters, buttons, quality, reason, updated_at)
            VALUES (:org, :name, :language, :id, :status, :category, :format, :headerFormat, :headerParameter,
                :body, :buttons::jsonb, :quality, :reason, :updatedAt)""";

    static final String MARK_SYNCED = """
            INSERT INTO whatsapp_template_sync (org_id, synced_at, template_count) VALUES (:org, :now, :count)
            ON CONFLICT (org_id) DO UPDATE SET synced_at = excluded.synced_at, template_count = excluded.template_count""";

    static final String LAST_SYNC = "SELECT synced_at FROM whatsapp_template_sync WHERE org_id = :org";

    /**
     * For the enqueue check, one statement per batch: each distinct (org, name, language) asked,
     * whether its org was ever synced, and its row when there is one.
     */
    static final String FOR_CHECK = "SELECT k.org_id AS asked_org, k.name AS asked_name, k.language AS asked_language,"
            + " s.org_id IS NOT NULL AS synced, " + COLUMNS + " " + """
             FROM unnest(?::text[], ?::text[], ?::text[]) AS k(org_id, name, language)
             LEFT JOIN whatsapp_template_sync s ON s.org_id = k.org_id
             LEFT JOIN whatsapp_template t ON t.org_id = k.org_id AND t.name = k.name AND t.language = k.language""";

    private TemplateRows() {}

    static TemplateDefinition map(ResultSet rs) throws SQLException {
        String headerFormat = rs.getString("header_format");
        TemplateDefinition.Header header = headerFormat == null ? null
                : new TemplateDefinition.Header(Template.Header.Type.valueOf(headerFormat), rs.getString("header_parameter"));
        Array body = rs.getArray("body_parameters");
        List<String> bodyParameters = body == null ? List.of() : List.of((String[]) body.getArray());
        return new TemplateDefinition(rs.getString("template_id"), rs.getString("name"), rs.getString("language"),
                TemplateDefinition.Status.of(rs.getString("status")), TemplateDefinition.Category.of(rs.getString("category")),
                TemplateDefinition.ParameterFormat.valueOf(rs.getString("parameter_format")), header, bodyParameters,
                buttons(rs.getString("buttons")), rs.getString("quality"), rs.getString("reason"),
                Times.instant(rs, "updated_at"));
    }

    static String buttonsJson(List<TemplateDefinition.Button> buttons) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (TemplateDefinition.Button b : buttons) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", b.index());
            m.put("type", b.type());
            m.put("takesParameter", b.takesParameter());
            out.add(m);
        }
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("buttons are plain maps", e);
        }
    }

    private static List<TemplateDefinition.Button> buttons(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            List<TemplateDefinition.Button> out = new ArrayList<>();
            for (JsonNode b : JSON.readTree(json)) {
                out.add(new TemplateDefinition.Button(b.path("index").asInt(), b.path("type").asText("UNKNOWN"),
                        b.path("takesParameter").asBoolean()));
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("whatsapp_template.buttons is not the JSON the registry writes", e);
        }
    }
}

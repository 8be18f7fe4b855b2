package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A list message: a body and a button that opens sections of rows the customer picks one of; the
 * row's id comes back in the reply.
 *
 * @param button the label of the button that opens the list
 * @param header optional text header (a list has no media header)
 */
public record InteractiveList(String body, String button, List<Section> sections, String header, String footer)
        implements MessageContent {
    public static final int SECTIONS_MAX = 10;
    /** Rows across all sections. */
    public static final int ROWS_MAX = 10;
    public static final int SECTION_TITLE_MAX = 24;
    public static final int ROW_ID_MAX = 200;
    public static final int ROW_TITLE_MAX = 24;
    public static final int ROW_DESCRIPTION_MAX = 72;

    public InteractiveList {
        sections = sections == null ? List.of() : List.copyOf(sections);
    }

    public static InteractiveList of(String body, String button, Section... sections) {
        return new InteractiveList(body, button, List.of(sections), null, null);
    }

    /** @param title required when the list has more than one section */
    public record Section(String title, List<Row> rows) {
        public Section {
            rows = rows == null ? List.of() : List.copyOf(rows);
        }

        public static Section of(String title, Row... rows) {
            return new Section(title, List.of(rows));
        }

        @Override
        public String toString() {
            return "Section[" + rows.size() + " rows]";
        }
    }

    public record Row(String id, String title, String description) {
        public static Row of(String id, String title) {
            return new Row(id, title, null);
        }

        @Override
        public String toString() {
            return "Row[" + id + "]";
        }
    }

    @Override
    public ContentType type() {
        return ContentType.INTERACTIVE_LIST;
    }

    void validate(Violations v, Channel channel, String prefix) {
        String f = prefix + "interactive";
        if (!ContentRules.whatsappOnly(v, channel, f, "an interactive message")) {
            return;
        }
        MessageContent.InteractiveButtons.validateFrame(v, f, body, header, null, footer);
        ContentRules.required(v, f + ".button", button, MessageContent.BUTTON_TITLE_MAX);
        if (!ContentRules.count(v, f + ".sections", sections, 1, SECTIONS_MAX)) {
            return;
        }
        int rows = 0;
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            if (s == null) {
                continue;
            }
            String sf = f + ".sections[" + i + "]";
            if (sections.size() > 1 || s.title() != null) {
                if (s.title() == null && sections.size() > 1) {
                    v.add(sf + ".title", "is missing", "required when the list has more than one section");
                } else {
                    ContentRules.required(v, sf + ".title", s.title(), SECTION_TITLE_MAX);
                }
            }
            if (s.rows().isEmpty()) {
                v.add(sf + ".rows", "is empty", "at least one row per section");
            }
            for (int r = 0; r < s.rows().size(); r++) {
                Row row = s.rows().get(r);
                String rf = sf + ".rows[" + r + "]";
                rows++;
                if (!v.requireNonNull(rf, row)) {
                    continue;
                }
                if (ContentRules.required(v, rf + ".id", row.id(), ROW_ID_MAX) && !ids.add(row.id())) {
                    v.add(rf + ".id", "'" + Violations.printable(row.id()) + "' is used twice", "row ids are unique");
                }
                ContentRules.required(v, rf + ".title", row.title(), ROW_TITLE_MAX);
                ContentRules.optional(v, rf + ".description", row.description(), ROW_DESCRIPTION_MAX);
            }
        }
        if (rows > ROWS_MAX) {
            v.add(f + ".sections", "has " + rows + " rows", "at most " + ROWS_MAX + " rows across all sections");
        }
    }

    @Override
    public String toString() {
        return "InteractiveList[" + sections + (header != null ? ", text header" : "")
                + (footer != null ? ", footer" : "") + "]";
    }
}

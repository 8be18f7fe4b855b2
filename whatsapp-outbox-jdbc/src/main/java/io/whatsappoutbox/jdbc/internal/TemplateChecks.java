package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.jdbc.TemplateCheck;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enqueue's check of template messages against their org's registry, before anything is
 * written: one query per batch that has template messages, none otherwise. An org never synced
 * is not checked (its registry would refuse everything). Internal.
 */
final class TemplateChecks {
    private static final Logger log = LoggerFactory.getLogger(TemplateChecks.class);
    static final String NAME = "content.template.name";
    static final String PARAMETERS = "content.template.parameters";
    static final String HEADER = "content.template.header";
    static final String BUTTONS = "content.template.buttons";

    private final TemplateCheck mode;
    private final String forCheck;

    TemplateChecks(TemplateCheck mode, SchemaNames names) {
        this.mode = mode == null ? TemplateCheck.STRICT : mode;
        this.forCheck = names.qualify(TemplateRows.FOR_CHECK);
    }

    /** What the registry says of one (org, name, language): synced or not, and its definition if it holds one. */
    record Known(boolean synced, TemplateDefinition definition) {}

    /**
     * Checks the batch's template messages against the registry and returns the keys of those the
     * registry holds as MARKETING (their consent purpose); with the check OFF the registry is not read.
     */
    Set<String> check(Connection c, List<OutboundMessageRequest> requests) throws SQLException {
        if (mode == TemplateCheck.OFF) {
            return Set.of();
        }
        Map<String, Template> asked = new LinkedHashMap<>();
        Map<String, String> orgOf = new HashMap<>();
        for (OutboundMessageRequest r : requests) {
            if (r.channel() == Channel.WHATSAPP && r.content() instanceof Template t && t.name() != null
                    && t.language() != null) {
                String key = key(r.orgId(), t.name(), t.language());
                asked.putIfAbsent(key, t);
                orgOf.put(key, r.orgId());
            }
        }
        if (asked.isEmpty()) {
            return Set.of();
        }
        Map<String, Known> known = lookup(c, asked, orgOf);
        Set<String> marketing = new java.util.HashSet<>();
        known.forEach((key, k) -> {
            if (k.definition() != null && k.definition().category() == TemplateDefinition.Category.MARKETING) {
                marketing.add(key);
            }
        });
        List<InvalidInputException.Violation> problems = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (OutboundMessageRequest r : requests) {
            if (!(r.channel() == Channel.WHATSAPP && r.content() instanceof Template t) || t.name() == null
                    || t.language() == null) {
                continue;
            }
            Known k = known.get(key(r.orgId(), t.name(), t.language()));
            if (k == null || !k.synced()) {
                continue;
            }
            for (InvalidInputException.Violation v : problems(t, k.definition())) {
                // one report per distinct problem: a batch of a thousand alike sends says it once
                if (seen.add(r.orgId() + '\u0000' + v)) {
                    problems.add(v);
                    if (mode == TemplateCheck.LENIENT) {
                        log.warn("Template check of org {}: {} {} ({}); enqueued anyway (lenient)", r.orgId(), v.field(),
                                v.problem(), v.rule());
                    }
                }
            }
        }
        if (mode == TemplateCheck.STRICT && !problems.isEmpty()) {
            throw new InvalidInputException("template message", problems);
        }
        return marketing;
    }

    /** Whether {@code r} is a template that {@link #check} found MARKETING in the registry. */
    static boolean isMarketing(Set<String> marketing, OutboundMessageRequest r) {
        return !marketing.isEmpty() && r.channel() == Channel.WHATSAPP && r.content() instanceof Template t
                && t.name() != null && t.language() != null && marketing.contains(key(r.orgId(), t.name(), t.language()));
    }

    private Map<String, Known> lookup(Connection c, Map<String, Template> asked, Map<String, String> orgOf)
            throws SQLException {
        int n = asked.size();
        String[] orgs = new String[n];
        String[] names = new String[n];
        String[] languages = new String[n];
        int i = 0;
        for (Map.Entry<String, Template> e : asked.entrySet()) {
            orgs[i] = orgOf.get(e.getKey());
            names[i] = e.getValue().name();
            languages[i] = TemplateDefinition.normalizeLanguage(e.getValue().language());
            i++;
        }
        Map<String, Known> out = new HashMap<>();
        try (PreparedStatement p = c.prepareStatement(forCheck)) {
            Array[] arrays = {c.createArrayOf("text", orgs), c.createArrayOf("text", names),
                c.createArrayOf("text", languages)};
            for (int a = 0; a < arrays.length; a++) {
                p.setArray(1 + a, arrays[a]);
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    TemplateDefinition d = rs.getString("name") == null ? null : TemplateRows.map(rs);
                    out.put(key(rs.getString("asked_org"), rs.getString("asked_name"), rs.getString("asked_language")),
                            new Known(rs.getBoolean("synced"), d));
                }
            }
        }
        return out;
    }

    /** Why Meta would refuse {@code t} as the registry knows its template; empty when it would not. */
    static List<InvalidInputException.Violation> problems(Template t, TemplateDefinition d) {
        List<InvalidInputException.Violation> out = new ArrayList<>();
        String which = "'" + t.name() + "' (" + t.language() + ")";
        if (d == null) {
            out.add(new InvalidInputException.Violation(NAME, "template " + which + " is not in the org's registry",
                    "a template Meta approved for the org in that language (sync the registry after creating one)"));
            return out;
        }
        if (!d.status().sendable()) {
            out.add(new InvalidInputException.Violation(NAME, "template " + which + " is " + d.status(),
                    "an APPROVED template"));
            return out;
        }
        if (t.components() != null) {
            // raw components are the host's own: only the template's existence and status are checked
            return out;
        }
        body(t, d, which, out);
        header(t, d, which, out);
        buttons(t, d, which, out);
        return out;
    }

    private static void body(Template t, TemplateDefinition d, String which, List<InvalidInputException.Violation> out) {
        List<String> expected = d.bodyParameters();
        List<Template.Parameter> sent = t.parameters();
        if (d.parameterFormat() == TemplateDefinition.ParameterFormat.NAMED) {
            List<String> names = sent.stream().map(p -> p == null ? null : p.name()).toList();
            if (names.contains(null)) {
                out.add(new InvalidInputException.Violation(PARAMETERS, "template " + which
                        + " has named parameters and some sent have no name", "named parameters " + expected));
            } else if (!Set.copyOf(names).equals(Set.copyOf(expected)) || names.size() != expected.size()) {
                out.add(new InvalidInputException.Violation(PARAMETERS, "template " + which + " takes " + expected
                        + ", " + names + " sent", "exactly the template's named body parameters"));
            }
            return;
        }
        if (sent.stream().anyMatch(p -> p != null && p.isNamed())) {
            out.add(new InvalidInputException.Violation(PARAMETERS, "template " + which
                    + " has positional parameters and named ones were sent", expected.size() + " positional parameters"));
        } else if (sent.size() != expected.size()) {
            out.add(new InvalidInputException.Violation(PARAMETERS, "template " + which + " takes " + expected.size()
                    + " body parameter(s), " + sent.size() + " sent", "exactly " + expected.size()
                    + " body parameter(s)"));
        }
    }

    private static void header(Template t, TemplateDefinition d, String which, List<InvalidInputException.Violation> out) {
        TemplateDefinition.Header expected = d.header();
        Template.Header sent = t.header();
        if (expected == null && sent != null) {
            out.add(new InvalidInputException.Violation(HEADER, "template " + which + " has no header variable, a "
                    + sent.type() + " header was sent", "no header parameter"));
        } else if (expected != null && sent == null) {
            out.add(new InvalidInputException.Violation(HEADER, "template " + which + " takes a " + expected.format()
                    + " header parameter, none was sent", "a " + expected.format() + " header"));
        } else if (expected != null && sent.type() != expected.format()) {
            out.add(new InvalidInputException.Violation(HEADER, "template " + which + " takes a " + expected.format()
                    + " header, a " + sent.type() + " one was sent", "a " + expected.format() + " header"));
        } else if (expected != null && expected.format() == Template.Header.Type.TEXT
                && d.parameterFormat() == TemplateDefinition.ParameterFormat.NAMED && sent.parameterName() != null
                && !sent.parameterName().equals(expected.parameterName())) {
            out.add(new InvalidInputException.Violation(HEADER, "template " + which + " names its header parameter '"
                    + expected.parameterName() + "', '" + sent.parameterName() + "' was sent",
                    "the header parameter's name"));
        }
    }

    private static void buttons(Template t, TemplateDefinition d, String which, List<InvalidInputException.Violation> out) {
        Set<Integer> sent = new LinkedHashSet<>();
        for (Template.Button b : t.buttons()) {
            if (b == null) {
                continue;
            }
            sent.add(b.index());
            Optional<TemplateDefinition.Button> own = d.buttons().stream().filter(x -> x.index() == b.index()).findFirst();
            if (own.isEmpty()) {
                out.add(new InvalidInputException.Violation(BUTTONS + "[" + b.index() + "]", "template " + which
                        + " has no button " + b.index(), "a button index of the template (it has "
                        + d.buttons().size() + ")"));
            }
        }
        for (TemplateDefinition.Button b : d.buttons()) {
            if (b.takesParameter() && !sent.contains(b.index())) {
                out.add(new InvalidInputException.Violation(BUTTONS + "[" + b.index() + "]", "template " + which
                        + " has a " + b.type() + " button " + b.index() + " that takes a parameter, none was sent",
                        "a parameter for every button that takes one"));
            }
        }
    }

    private static String key(String org, String name, String language) {
        return org + '\u0000' + name + '\u0000' + TemplateDefinition.normalizeLanguage(language);
    }
}

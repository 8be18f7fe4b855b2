package io.whatsappoutbox.jdbc.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.TemplateEngine;

/**
 * The outbox's tables in the schema of the install: the library's SQL names its tables bare, and
 * every statement is given them qualified with the schema, whatever the connection's
 * {@code search_path} (a host's connection has the host's). Each statement text is qualified once
 * and kept: the same string comes back at every call, its hash already computed. Internal.
 */
public final class SchemaNames implements TemplateEngine {
    public static final String DEFAULT_SCHEMA = "whatsapp_outbox";
    /** Every table of the outbox, as the migrations and the migrator create them. */
    public static final List<String> TABLES = List.of("outbound_message", "outbound_attempt", "message", "consentement",
            "outbox_audit", "webhook_event", "pending_receipt", "whatsapp_provider_config", "whatsapp_template",
            "whatsapp_template_sync", "whatsapp_template_hold", "whatsapp_account_state", "whatsapp_number_state",
            "whatsapp_messaging_window", "whatsapp_session_window", "whatsapp_rate_limit", "whatsapp_pacing",
            "org_sending_hours", "outbox_schema_history");
    /** The insert trigger's function. */
    public static final String NOTIFY_FUNCTION = "whatsapp_outbox_notify";
    public static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /**
     * A table name as a whole word: not part of a longer identifier ({@code outbound_message_claim}),
     * not already qualified, not a bind parameter ({@code :message}); literals and quoted identifiers
     * are skipped before.
     */
    private static final Pattern TABLE = Pattern.compile("(?<![\\w.:$])(" + String.join("|", TABLES) + ")(?!\\w)");

    private static final int MAX_CACHED = 10_000;
    private final String schema;
    private final Map<String, String> qualified = new ConcurrentHashMap<>();

    public SchemaNames(String schema) {
        if (schema == null || !IDENTIFIER.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema: '" + schema + "' is not a plain lower-case SQL identifier");
        }
        this.schema = schema;
    }

    /** The names a Jdbi of {@link Jdbis} qualifies with. */
    static SchemaNames of(Jdbi jdbi) {
        TemplateEngine engine = jdbi.getConfig(SqlStatements.class).getTemplateEngine();
        if (engine instanceof SchemaNames names) {
            return names;
        }
        throw new IllegalStateException("a Jdbi made by Jdbis.create is required: it knows the outbox's schema");
    }

    public String schema() {
        return schema;
    }

    /** {@code sql} with every bare table name of the outbox qualified by the schema. */
    public String qualify(String sql) {
        String known = qualified.get(sql);
        if (known != null) {
            return known;
        }
        // the library's statements are a fixed set; a runaway set would not grow the cache for ever
        return qualified.size() < MAX_CACHED ? qualified.computeIfAbsent(sql, this::rewrite) : rewrite(sql);
    }

    /** One table, qualified: for names built at run time. */
    public String table(String name) {
        return schema + "." + name;
    }

    /** Rewrites outside string literals, quoted identifiers and comments only: their text is not a table. */
    private String rewrite(String sql) {
        StringBuilder out = new StringBuilder(sql.length() + 64);
        int plain = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                // a comment, to its line's end: left as it is (an apostrophe in it opens no literal)
                qualifySegment(sql.substring(plain, i), out);
                int end = sql.indexOf('\n', i);
                end = end < 0 ? sql.length() - 1 : end;
                out.append(sql, i, end + 1);
                i = end;
                plain = end + 1;
            } else if (c == '\'' || c == '"') {
                qualifySegment(sql.substring(plain, i), out);
                int end = i + 1;
                while (end < sql.length()) {
                    if (sql.charAt(end) == c) {
                        if (end + 1 < sql.length() && sql.charAt(end + 1) == c) {
                            end += 2; // a doubled quote inside the literal
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.min(end, sql.length() - 1);
                out.append(sql, i, end + 1);
                i = end;
                plain = end + 1;
            }
        }
        if (plain < sql.length()) {
            qualifySegment(sql.substring(plain), out);
        }
        return out.toString();
    }

    private void qualifySegment(String segment, StringBuilder out) {
        // in the library's SQL the current schema means the outbox's
        segment = segment.replace("current_schema()", "'" + schema + "'");
        Matcher m = TABLE.matcher(segment);
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(schema + "." + m.group(1)));
        }
        m.appendTail(out);
    }

    @Override
    public String render(String template, StatementContext ctx) {
        return qualify(template);
    }
}

package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.webhook.LifecycleEvent;
import io.whatsappoutbox.core.webhook.LifecycleEvent.TemplateCategoryChanged;
import io.whatsappoutbox.core.webhook.LifecycleEvent.TemplateQualityChanged;
import io.whatsappoutbox.core.webhook.LifecycleEvent.TemplateStatusChanged;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * The template lifecycle webhooks (status, category, quality) applied to the registry rows of
 * every org sending through the event's business account, in the webhook batch's transaction;
 * each event once (by its dedupe key) and audited. An event about a template the registry does
 * not hold inserts nothing: the next sync brings it. Internal.
 */
final class TemplateRegistryWrites {
    static final Operator WEBHOOK_OPERATOR = Operator.of("meta-webhook", "template lifecycle webhook from Meta");

    private static final String ORGS_OF_ACCOUNT = """
            SELECT org_id FROM whatsapp_provider_config WHERE business_account_id = :waba ORDER BY org_id""";
    private static final String WHERE = """
             WHERE org_id IN (SELECT org_id FROM whatsapp_provider_config WHERE business_account_id = :waba)
               AND name = :name AND language = :language
            RETURNING org_id""";
    private static final String STATUS = "UPDATE whatsapp_template SET status = :status, reason = :reason,"
            + " updated_at = :now" + WHERE;
    private static final String CATEGORY = "UPDATE whatsapp_template SET category = :category, updated_at = :now" + WHERE;
    private static final String QUALITY = "UPDATE whatsapp_template SET quality = :quality, updated_at = :now" + WHERE;

    /**
     * What the batch's template events did.
     *
     * @param fresh the template events not seen before, in the batch's order (for other effects of them)
     */
    private TemplateRegistryWrites() {}

    /**
     * Applies the template events of {@code events}, already deduplicated, each audited with what
     * it did to the queued messages ({@code effects}, from {@link LifecycleWrites}).
     */
    static void apply(Handle h, List<LifecycleEvent> events, Map<LifecycleEvent, Map<String, Object>> effects,
            Instant now) {
        for (LifecycleEvent e : events) {
            if (e instanceof TemplateStatusChanged || e instanceof TemplateCategoryChanged
                    || e instanceof TemplateQualityChanged) {
                apply(h, e, effects.getOrDefault(e, Map.of()), now);
            }
        }
    }

    private static void apply(Handle h, LifecycleEvent event, Map<String, Object> effect, Instant now) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("businessAccountId", event.businessAccountId());
        Query update;
        if (event instanceof TemplateStatusChanged s) {
            update = h.createQuery(STATUS).bind("status", s.status().name()).bind("reason",
                    s.reason() == null || "NONE".equals(s.reason()) ? null : s.reason());
            describe(details, "status", s.name(), s.language(), s.templateId());
            details.put("event", s.event());
            details.put("status", s.status().name());
            details.put("reason", s.reason());
            details.put("pauseTitle", s.pauseTitle());
            bindTemplate(update, s.businessAccountId(), s.name(), s.language());
        } else if (event instanceof TemplateCategoryChanged c) {
            update = h.createQuery(CATEGORY).bind("category", c.current().name());
            describe(details, "category", c.name(), c.language(), c.templateId());
            details.put("previous", c.previous() == null ? null : c.previous().name());
            details.put("category", c.current().name());
            bindTemplate(update, c.businessAccountId(), c.name(), c.language());
        } else if (event instanceof TemplateQualityChanged q) {
            update = h.createQuery(QUALITY).bind("quality", q.current());
            describe(details, "quality", q.name(), q.language(), q.templateId());
            details.put("previous", q.previous());
            details.put("quality", q.current());
            bindTemplate(update, q.businessAccountId(), q.name(), q.language());
        } else {
            throw new IllegalArgumentException("not a template event: " + event.getClass().getSimpleName());
        }
        Set<String> updated = Set.copyOf(update.bind("now", now)
                .mapTo(String.class).list());
        details.put("occurredAt", Times.iso(event.occurredAt()));
        details.putAll(effect);
        List<String> orgs = h.createQuery(ORGS_OF_ACCOUNT).bind("waba", event.businessAccountId())
                .mapTo(String.class).list();
        if (orgs.isEmpty()) {
            // no org sends through this account: still recorded, so an operator sees it arrived
            details.put("inRegistry", false);
            AuditLog.insert(h, entry(Scope.ALL_ORGS_LABEL), 0, details, now);
            return;
        }
        for (String org : orgs) {
            Map<String, Object> own = new LinkedHashMap<>(details);
            own.put("inRegistry", updated.contains(org));
            AuditLog.insert(h, entry(org), updated.contains(org) ? 1 : 0, own, now);
        }
    }

    private static AuditLog.Entry entry(String scope) {
        return AuditLog.Entry.start(OperationKind.TEMPLATE_LIFECYCLE, WEBHOOK_OPERATOR, scope, null, false);
    }

    private static void describe(Map<String, Object> details, String change, String name, String language, String id) {
        details.put("change", change);
        details.put("template", name);
        details.put("language", language);
        details.put("templateId", id);
    }

    private static void bindTemplate(Query update, String waba, String name, String language) {
        update.bind("waba", waba).bind("name", name).bind("language", language);
    }
}

package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.store.SendingHolds;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Meta's lifecycle webhooks change for the sends, in the webhook batch's transaction: a paused
 * template's hold until the pause ends, a disabled one's for good, its release when Meta approves
 * it again, an account's restrictions and a number's quality. The dispatcher reads the holds back
 * through {@link JdbcDispatchStore#sendingHolds}; each event is audited. Internal.
 */
final class LifecycleWrites {
    private static final Logger log = LoggerFactory.getLogger(LifecycleWrites.class);
    /** Meta's pauses: three hours the first time, six the second; then the template is disabled. */
    static final Duration FIRST_PAUSE = Duration.ofHours(3);
    static final Duration SECOND_PAUSE = Duration.ofHours(6);
    static final String AUDIT_OPERATOR = "meta-webhook";
    /** A hold without an end (a flagged number, a ban) is looked at again after this. */
    static final Duration RECHECK = Duration.ofHours(1);

    private LifecycleWrites() {}

    /**
     * Applies {@code events}, already deduplicated. Returns, per template status event, what it did
     * to the queued messages, for the registry's audit row of that event; account and number events
     * are audited here.
     */
    static Map<LifecycleEvent, Map<String, Object>> apply(Handle h, List<LifecycleEvent> events, Instant now) {
        Map<LifecycleEvent, Map<String, Object>> effects = new java.util.HashMap<>();
        for (LifecycleEvent e : events) {
            if (e instanceof LifecycleEvent.TemplateStatusChanged s) {
                effects.put(s, templateStatus(h, s, now));
            } else if (e instanceof LifecycleEvent.TemplateCategoryChanged c) {
                effects.put(c, category(h, c, now));
            } else if (e instanceof LifecycleEvent.AccountUpdated a) {
                account(h, a, now);
            } else if (e instanceof LifecycleEvent.NumberQualityChanged n) {
                number(h, n, now);
            }
        }
        return effects;
    }

    static List<String> orgsOf(Handle h, String businessAccountId) {
        return h.createQuery("SELECT org_id FROM whatsapp_provider_config WHERE business_account_id = :waba ORDER BY org_id")
                .bind("waba", businessAccountId)
                .mapTo(String.class)
                .list();
    }

    static Duration pauseFor(String pauseTitle) {
        return "SECOND_PAUSE".equals(pauseTitle) ? SECOND_PAUSE : FIRST_PAUSE;
    }

    private static Map<String, Object> templateStatus(Handle h, LifecycleEvent.TemplateStatusChanged s, Instant now) {
        List<String> orgs = orgsOf(h, s.businessAccountId());
        TemplateDefinition.Status status = s.status();
        String reason = "paused by Meta" + (s.pauseTitle() == null ? "" : " (" + s.pauseTitle() + ")");
        int affected = 0;
        String effect;
        if (status == TemplateDefinition.Status.PAUSED) {
            Instant until = s.occurredAt().plus(pauseFor(s.pauseTitle()));
            hold(h, orgs, s, "PAUSED", until, reason, now);
            affected = queued(h, orgs, s);
            effect = "held until " + until;
        } else if (status == TemplateDefinition.Status.APPROVED) {
            h.createUpdate("DELETE FROM whatsapp_template_hold WHERE org_id = ANY(:orgs) AND name = :name AND language = :language")
                    .bindArray("orgs", String.class, orgs)
                    .bind("name", s.name())
                    .bind("language", s.language())
                    .execute();
            // the messages that waited out the pause go now, not when their deferral ends
            affected = h.createUpdate("""
                    UPDATE outbound_message SET next_attempt_at = :now, updated_at = :now
                     WHERE org_id = ANY(:orgs) AND status = 'QUEUED' AND channel = 'WHATSAPP'
                       AND content_type = 'TEMPLATE' AND template_code = :name
                       AND payload_json->>'language' = :language
                       AND error_code IN ('TEMPLATE_PAUSED', '132015') AND next_attempt_at > :now""")
                    .bindArray("orgs", String.class, orgs)
                    .bind("name", s.name())
                    .bind("language", s.language())
                    .bind("now", now)
                    .execute();
            effect = "released";
        } else if (status == TemplateDefinition.Status.DISABLED || status == TemplateDefinition.Status.REJECTED
                || status == TemplateDefinition.Status.DELETED || status == TemplateDefinition.Status.PENDING_DELETION) {
            String why = status.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " by Meta"
                    + (s.reason() == null || "NONE".equals(s.reason()) ? "" : " (" + s.reason() + ")");
            hold(h, orgs, s, "DISABLED", null, why, now);
            affected = queued(h, orgs, s);
            effect = "never sent again";
            if (affected > 0) {
                log.warn("Template {} ({}) {}: {} queued message(s) of org(s) {} go to the dead letter (TEMPLATE_DISABLED)",
                        s.name(), s.language(), why, affected, orgs);
            }
        } else {
            effect = "recorded";
        }
        return Map.of("effect", effect, "queuedMessages", affected);
    }

    /**
     * A template that became MARKETING needs marketing consent from now on, for the messages already
     * queued too. One that left MARKETING leaves them as they are: a message never needs less
     * consent than it was enqueued with (the host may have asked for marketing consent itself).
     */
    private static Map<String, Object> category(Handle h, LifecycleEvent.TemplateCategoryChanged c, Instant now) {
        if (c.current() != TemplateDefinition.Category.MARKETING) {
            return Map.of("effect", "recorded");
        }
        int changed = h.createUpdate("""
                UPDATE outbound_message SET consent_purpose = 'MARKETING', updated_at = :now
                 WHERE org_id = ANY(:orgs) AND status = 'QUEUED' AND channel = 'WHATSAPP' AND content_type = 'TEMPLATE'
                   AND template_code = :name AND payload_json->>'language' = :language
                   AND consent_purpose <> 'MARKETING'""")
                .bindArray("orgs", String.class, orgsOf(h, c.businessAccountId()))
                .bind("name", c.name())
                .bind("language", c.language())
                .bind("now", now)
                .execute();
        return Map.of("effect", "queued messages need marketing consent", "queuedMessages", changed);
    }

    private static void hold(Handle h, List<String> orgs, LifecycleEvent.TemplateStatusChanged s, String status,
            Instant until, String reason, Instant now) {
        h.createUpdate("""
                INSERT INTO whatsapp_template_hold (org_id, name, language, status, held_until, reason, updated_at)
                SELECT o, :name, :language, :status, :until, :reason, :now FROM unnest(:orgs) AS o
                ON CONFLICT (org_id, name, language) DO UPDATE
                   SET status = EXCLUDED.status, held_until = EXCLUDED.held_until, reason = EXCLUDED.reason,
                       updated_at = EXCLUDED.updated_at""")
                .bindArray("orgs", String.class, orgs)
                .bind("name", s.name())
                .bind("language", s.language())
                .bind("status", status)
                .bind("until", until)
                .bind("reason", reason)
                .bind("now", now)
                .execute();
    }

    private static int queued(Handle h, List<String> orgs, LifecycleEvent.TemplateStatusChanged s) {
        return h.createQuery("""
                SELECT count(*) FROM outbound_message
                 WHERE org_id = ANY(:orgs) AND status = 'QUEUED' AND channel = 'WHATSAPP' AND content_type = 'TEMPLATE'
                   AND template_code = :name AND payload_json->>'language' = :language""")
                .bindArray("orgs", String.class, orgs)
                .bind("name", s.name())
                .bind("language", s.language())
                .mapTo(Integer.class)
                .one();
    }

    private static void account(Handle h, LifecycleEvent.AccountUpdated a, Instant now) {
        h.createUpdate("""
                INSERT INTO whatsapp_account_state (business_account_id, last_event, restrictions, restricted_until,
                                                    ban_state, updated_at)
                VALUES (:waba, :event, :restrictions, :until, :ban, :now)
                ON CONFLICT (business_account_id) DO UPDATE
                   SET last_event = EXCLUDED.last_event,
                       restrictions = CASE WHEN EXCLUDED.last_event = 'ACCOUNT_RESTRICTION' THEN EXCLUDED.restrictions
                                           ELSE whatsapp_account_state.restrictions END,
                       restricted_until = CASE WHEN EXCLUDED.last_event = 'ACCOUNT_RESTRICTION' THEN EXCLUDED.restricted_until
                                               ELSE whatsapp_account_state.restricted_until END,
                       ban_state = COALESCE(EXCLUDED.ban_state, whatsapp_account_state.ban_state),
                       updated_at = EXCLUDED.updated_at""")
                .bind("waba", a.businessAccountId())
                .bind("event", a.event())
                .bindArray("restrictions", String.class, a.restrictions())
                .bind("until", a.restrictedUntil())
                .bind("ban", a.banState())
                .bind("now", now)
                .execute();
        List<String> orgs = orgsOf(h, a.businessAccountId());
        if (a.restrictsBusinessInitiated()) {
            log.warn("WhatsApp account {} restricted by Meta ({}) until {}: marketing of org(s) {} held",
                    a.businessAccountId(), a.event(), a.restrictedUntil(), orgs);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("event", a.event());
        details.put("restrictions", a.restrictions());
        details.put("restrictedUntil", a.restrictedUntil() == null ? null : a.restrictedUntil().toString());
        details.put("banState", a.banState());
        audit(h, "META_ACCOUNT_UPDATE", orgs, "account " + a.businessAccountId() + " " + a.event(), 0, details, now);
    }

    private static void number(Handle h, LifecycleEvent.NumberQualityChanged n, Instant now) {
        h.createUpdate("""
                INSERT INTO whatsapp_number_state (business_account_id, display_phone_number, last_event,
                                                   quality_rating, messaging_limit, updated_at)
                VALUES (:waba, :number, :event, :quality, :limit, :now)
                ON CONFLICT (business_account_id, display_phone_number) DO UPDATE
                   SET last_event = EXCLUDED.last_event,
                       quality_rating = COALESCE(EXCLUDED.quality_rating, whatsapp_number_state.quality_rating),
                       messaging_limit = COALESCE(EXCLUDED.messaging_limit, whatsapp_number_state.messaging_limit),
                       updated_at = EXCLUDED.updated_at""")
                .bind("waba", n.businessAccountId())
                .bind("number", n.displayPhoneNumber())
                .bind("event", n.event())
                .bind("quality", n.qualityRating())
                .bind("limit", n.messagingLimit())
                .bind("now", now)
                .execute();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("event", n.event());
        details.put("qualityRating", n.qualityRating());
        details.put("messagingLimit", n.messagingLimit());
        audit(h, "META_NUMBER_QUALITY", orgsOf(h, n.businessAccountId()), "number quality " + n.event(), 0, details,
                now);
    }

    /**
     * The holds at {@code now}: held templates, and the orgs whose account is restricted or banned,
     * or one of whose account's numbers is of low quality or flagged (Meta names a number by its
     * display number, which the provider configuration does not hold: the account's orgs are held).
     */
    static SendingHolds holds(Handle h, Instant now) {
        List<SendingHolds.TemplateHold> templates = h.createQuery("""
                SELECT org_id, name, language, held_until, reason FROM whatsapp_template_hold
                 WHERE held_until IS NULL OR held_until > :now""")
                .bind("now", now)
                .map((rs, ctx) -> new SendingHolds.TemplateHold(rs.getString("org_id"), rs.getString("name"),
                        rs.getString("language"), Times.instant(rs, "held_until"), rs.getString("reason")))
                .list();
        Instant recheck = now.plus(RECHECK);
        List<SendingHolds.MarketingHold> marketing = h.createQuery("""
                SELECT c.org_id,
                       CASE WHEN a.ban_state = 'DISABLE' THEN NULL ELSE a.restricted_until END AS until,
                       CASE WHEN a.ban_state = 'DISABLE' THEN 'account disabled by Meta'
                            ELSE 'account restricted by Meta (' || a.last_event || ')' END AS reason
                  FROM whatsapp_provider_config c
                  JOIN whatsapp_account_state a ON a.business_account_id = c.business_account_id
                 WHERE a.ban_state = 'DISABLE'
                    OR ('RESTRICTED_BIZ_INITIATED_MESSAGING' = ANY(a.restrictions) AND a.restricted_until > :now)
                UNION ALL
                SELECT DISTINCT c.org_id, NULL::timestamptz,
                       'a number of account ' || n.business_account_id || ' is '
                           || CASE WHEN n.quality_rating = 'RED' THEN 'of low quality' ELSE 'flagged' END
                  FROM whatsapp_provider_config c
                  JOIN whatsapp_number_state n ON n.business_account_id = c.business_account_id
                 WHERE n.quality_rating = 'RED' OR n.last_event = 'FLAGGED'""")
                .bind("now", now)
                .map((rs, ctx) -> {
                    Instant until = Times.instant(rs, "until");
                    return new SendingHolds.MarketingHold(rs.getString("org_id"), until == null ? recheck : until,
                            rs.getString("reason"));
                })
                .list();
        return new SendingHolds(templates, marketing);
    }

    static void audit(Handle h, String action, List<String> orgs, String reason, int affected,
            Map<String, Object> details, Instant now) {
        h.createUpdate(ChangeSql.INSERT_AUDIT)
                .bind("operationId", UUID.randomUUID())
                .bind("action", action)
                .bind("operator", AUDIT_OPERATOR)
                .bind("reason", reason)
                .bind("scope", orgs.isEmpty() ? "none" : String.join(",", orgs))
                .bind("filter", (String) null)
                .bind("dryRun", false)
                .bind("affected", affected)
                .bind("details", AuditLog.json(details))
                .bind("now", now)
                .execute();
    }
}

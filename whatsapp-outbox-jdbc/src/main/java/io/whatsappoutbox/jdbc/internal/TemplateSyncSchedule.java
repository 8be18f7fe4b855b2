package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.spi.TemplateSource;
import io.whatsappoutbox.jdbc.TemplateRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each org's template registry fresh from the dispatcher's maintenance: per pass, at most one
 * org is synced, the enabled WhatsApp account never synced or synced longest ago, once its last
 * sync is older than the interval. An org whose sync failed is passed over for an interval (Meta
 * refusing its token is not fixed by asking every maintenance pass). Internal.
 */
public final class TemplateSyncSchedule {
    private static final Logger log = LoggerFactory.getLogger(TemplateSyncSchedule.class);

    /** The orgs due, oldest sync first; a few, so that orgs in failure backoff do not hide the rest. */
    static final String DUE = """
            SELECT c.org_id
              FROM whatsapp_provider_config c
              LEFT JOIN whatsapp_template_sync s ON s.org_id = c.org_id
             WHERE c.enabled AND (s.synced_at IS NULL OR s.synced_at <= :due)
             ORDER BY s.synced_at NULLS FIRST, c.org_id
             LIMIT 20""";

    private final Jdbi jdbi;
    private final TemplateRegistry registry;
    private final TemplateSource source;
    private final Duration every;
    /** This instance's failed syncs: when each org may be tried again. */
    private final Map<String, Instant> backoff = new ConcurrentHashMap<>();

    public TemplateSyncSchedule(Jdbi jdbi, TemplateRegistry registry, TemplateSource source, Duration every) {
        this.jdbi = jdbi;
        this.registry = registry;
        this.source = source;
        this.every = every;
    }

    /**
     * Syncs the org most overdue, if any.
     *
     * @return the org synced or tried, or null when none was due
     */
    public String runIfDue(Instant now) {
        List<String> due = jdbi.withHandle(h -> h.createQuery(DUE).bind("due", now.minus(every))
                .mapTo(String.class).list());
        for (String org : due) {
            Instant retryAt = backoff.get(org);
            if (retryAt != null && now.isBefore(retryAt)) {
                continue;
            }
            try {
                TemplateRegistry.SyncReport r = registry.sync(org, source);
                backoff.remove(org);
                log.info("Scheduled template sync of org {}: {} template(s), {} before", org, r.templates(),
                        r.previous());
            } catch (RuntimeException e) {
                backoff.put(org, now.plus(every));
                // the source's message names the account and the HTTP status, never the token
                log.warn("Scheduled template sync of org {} failed, tried again in {}: {}", org, every,
                        SafeText.describe(e));
            }
            return org;
        }
        return null;
    }
}

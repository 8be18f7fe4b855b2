package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.spi.TemplateSource;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Each org's templates as Meta approved them: synced from Meta's template list and kept up to
 * date by the lifecycle webhooks, so that the enqueue refuses a send Meta would refuse. Obtained
 * from {@link JdbcOutbox#templates()}.
 */
public interface TemplateRegistry {

    /**
     * Replaces the org's templates with what {@code source} lists for its WhatsApp account (from
     * the outbox's provider configs), in one transaction with its sync marker and an audit row.
     * The list is fetched first: a fetch that fails changes nothing and throws.
     */
    SyncReport sync(String orgId, TemplateSource source);

    /** The org's templates by name and language. */
    List<TemplateDefinition> list(String orgId);

    Optional<TemplateDefinition> find(String orgId, String name, String language);

    /** When the org was last synced; empty for an org never synced (its sends are not checked). */
    Optional<Instant> lastSync(String orgId);

    /**
     * What a sync did.
     *
     * @param templates how many templates the org has now
     * @param previous how many it had before
     */
    record SyncReport(String orgId, int templates, int previous, Instant syncedAt) {}
}

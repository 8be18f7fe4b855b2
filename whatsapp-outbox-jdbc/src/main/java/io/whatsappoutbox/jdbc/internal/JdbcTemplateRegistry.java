package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.spi.TemplateSource;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import io.whatsappoutbox.jdbc.TemplateRegistry;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The template registry on {@code whatsapp_template} and {@code whatsapp_template_sync}. Internal. */
public final class JdbcTemplateRegistry implements TemplateRegistry {
    private static final Logger log = LoggerFactory.getLogger(JdbcTemplateRegistry.class);
    static final Operator SYNC_OPERATOR = Operator.of("template-sync", "the org's templates as Meta lists them");

    private final Jdbi jdbi;
    private final Clock clock;
    private final WhatsAppAccounts accounts;

    public JdbcTemplateRegistry(Jdbi jdbi, Clock clock, WhatsAppAccounts accounts) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.accounts = accounts;
    }

    @Override
    public SyncReport sync(String orgId, TemplateSource source) {
        checkOrg(orgId);
        Objects.requireNonNull(source, "source");
        WhatsAppAccount account = accounts.forOrg(orgId).orElseThrow(() -> new IllegalStateException(
                "Org " + orgId + " has no WhatsApp account in the provider configs: its templates cannot be synced"));
        // fetched before the transaction: a failure here changes nothing and holds no connection
        List<TemplateDefinition> fetched = source.fetch(account);
        Map<String, TemplateDefinition> byKey = new LinkedHashMap<>();
        for (TemplateDefinition d : fetched) {
            byKey.put(d.name() + '\u0000' + d.language(), d);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        int previous = jdbi.inTransaction(h -> {
            int before = h.createQuery(TemplateRows.COUNT).bind("org", orgId).mapTo(Integer.class).one();
            h.createUpdate(TemplateRows.DELETE_ORG).bind("org", orgId).execute();
            if (!byKey.isEmpty()) {
                PreparedBatch batch = h.prepareBatch(TemplateRows.INSERT);
                for (TemplateDefinition d : byKey.values()) {
                    batch.bind("org", orgId)
                            .bind("name", d.name())
                            .bind("language", d.language())
                            .bind("id", d.id())
                            .bind("status", d.status().name())
                            .bind("category", d.category().name())
                            .bind("format", d.parameterFormat().name())
                            .bind("headerFormat", d.header() == null ? null : d.header().format().name())
                            .bind("headerParameter", d.header() == null ? null : d.header().parameterName())
                            .bindArray("body", String.class, d.bodyParameters())
                            .bind("buttons", TemplateRows.buttonsJson(d.buttons()))
                            .bind("quality", d.quality())
                            .bind("reason", d.reason())
                            .bind("updatedAt", now)
                            .add();
                }
                batch.execute();
            }
            h.createUpdate(TemplateRows.MARK_SYNCED).bind("org", orgId).bind("now", now).bind("count", byKey.size())
                    .execute();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("businessAccountId", account.businessAccountId());
            details.put("templates", byKey.size());
            details.put("previous", before);
            AuditLog.insert(h, AuditLog.Entry.start(OperationKind.SYNC_TEMPLATES, SYNC_OPERATOR, orgId, null, false),
                    byKey.size(), details, now);
            return before;
        });
        log.info("Template registry of org {} synced: {} template(s), {} before", orgId, byKey.size(), previous);
        return new SyncReport(orgId, byKey.size(), previous, now);
    }

    @Override
    public List<TemplateDefinition> list(String orgId) {
        checkOrg(orgId);
        return jdbi.withHandle(h -> h.createQuery(TemplateRows.LIST).bind("org", orgId)
                .map((rs, ctx) -> TemplateRows.map(rs)).list());
    }

    @Override
    public Optional<TemplateDefinition> find(String orgId, String name, String language) {
        checkOrg(orgId);
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(language, "language");
        return jdbi.withHandle(h -> h.createQuery(TemplateRows.FIND).bind("org", orgId).bind("name", name)
                .bind("language", TemplateDefinition.normalizeLanguage(language))
                .map((rs, ctx) -> TemplateRows.map(rs)).findFirst());
    }

    @Override
    public Optional<Instant> lastSync(String orgId) {
        checkOrg(orgId);
        return jdbi.withHandle(h -> h.createQuery(TemplateRows.LAST_SYNC).bind("org", orgId)
                .map((rs, ctx) -> Times.instant(rs, "synced_at")).findFirst());
    }

    private static void checkOrg(String orgId) {
        Violations v = new Violations();
        v.orgId("orgId", orgId);
        v.throwIfAny("template registry");
    }
}

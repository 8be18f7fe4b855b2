package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import io.whatsappoutbox.jdbc.EncryptionKeys.SecretUnreadableException;
import io.whatsappoutbox.jdbc.internal.Times;
import io.whatsappoutbox.jdbc.internal.WebhookSecretCache;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Provider configurations in {@code whatsapp_provider_config}: saved with secrets sealed, read back
 * as the accounts providers send with and the secrets webhooks are verified with. Reads are cached
 * for a few seconds (a dispatcher looks its account up for every message); a save or a rotation
 * through this object clears the cache, and other instances see it within the cache's lifetime.
 *
 * <p>The webhook secret of a Meta org is its Meta app's secret, which Meta generates: a rotation
 * installs the one Meta shows after a reset. Orgs served by one app (a tech provider's) hold the
 * same secret, and a rotation for one of them installs it for all of them.
 */
public final class ProviderConfigs implements WhatsAppAccounts {
    private static final String SELECT = """
            SELECT org_id, phone_number_id, business_account_id, access_token_encrypted, webhook_secret_encrypted,
                   previous_webhook_secret_encrypted, previous_webhook_secret_valid_until, enabled,
                   updated_at, updated_by
              FROM whatsapp_provider_config""";

    /** An app secret as Meta shows it (32 hex digits), or any other provider's: printable, no blanks. */
    static final Pattern WEBHOOK_SECRET = Pattern.compile("[\\x21-\\x7E]{16,512}");
    static final String WEBHOOK_SECRET_RULE = "16 to 512 printable characters without blanks (Meta's app secret: 32 hex digits)";
    private static final String CURRENT = "webhook_secret";
    private static final String PREVIOUS = "previous_webhook_secret";

    private final Jdbi jdbi;
    private final EncryptionKeys keys;
    private final Clock clock;
    private final Duration cacheFor;
    private final Map<String, Cached<Optional<Stored>>> byOrg = new ConcurrentHashMap<>();
    private final Map<String, Cached<Optional<Stored>>> byPhone = new ConcurrentHashMap<>();
    private final Map<String, Cached<List<Stored>>> byBusinessAccount = new ConcurrentHashMap<>();
    private final WebhookSecretCache secrets;

    ProviderConfigs(Jdbi jdbi, EncryptionKeys keys, Clock clock, Duration cacheFor) {
        this.jdbi = jdbi;
        this.keys = keys;
        this.clock = clock;
        this.cacheFor = cacheFor;
        this.secrets = new WebhookSecretCache(this::loadSecrets, clock, cacheFor);
    }

    /**
     * A sealed value that does not open with the configured keys (another key, tampered, copied
     * from another row).
     *
     * @param column {@code access_token}, {@code webhook_secret} or {@code previous_webhook_secret}
     */
    public record UnreadableSecret(String orgId, String column, String reason) {}

    /**
     * The webhook secrets as last loaded: how many enabled orgs, and which secrets did not open
     * (left out: the webhooks of an org whose current secret does not open answer 500, every other
     * org's are verified as usual).
     */
    public record WebhookSecretsHealth(Instant loadedAt, int orgs, List<UnreadableSecret> unreadable) {
        public WebhookSecretsHealth {
            unreadable = List.copyOf(unreadable);
        }

        public boolean healthy() {
            return unreadable.isEmpty();
        }
    }

    private record Cached<T>(T value, Instant loadedAt) {}

    /** A row, secrets still sealed: they are opened only when asked for. */
    private record Stored(String orgId, String phoneNumberId, String businessAccountId, byte[] token, byte[] secret,
            byte[] previousSecret, Instant previousValidUntil, boolean enabled) {}

    /** Creates or replaces an org's configuration. */
    public void save(ProviderConfig config, String actor) {
        requireKeys();
        Violations v = new Violations();
        v.requireNonNull("config", config);
        v.text("actor", actor, 64, null, "who saves it, 1 to 64 characters");
        v.throwIfAny("provider config");
        Instant now = clock.instant();
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO whatsapp_provider_config (org_id, phone_number_id, business_account_id,
                            access_token_encrypted, webhook_secret_encrypted, enabled, messages_per_second,
                            created_at, updated_at, created_by, updated_by)
                        VALUES (:org, :phone, :waba, :token, :secret, :enabled, :rate, :now, :now, :actor, :actor)
                        ON CONFLICT (org_id) DO UPDATE
                           SET phone_number_id = EXCLUDED.phone_number_id,
                               business_account_id = EXCLUDED.business_account_id,
                               access_token_encrypted = EXCLUDED.access_token_encrypted,
                               webhook_secret_encrypted = EXCLUDED.webhook_secret_encrypted,
                               enabled = EXCLUDED.enabled,
                               messages_per_second = EXCLUDED.messages_per_second,
                               updated_at = EXCLUDED.updated_at,
                               updated_by = EXCLUDED.updated_by""")
                .bind("org", config.orgId())
                .bind("phone", config.phoneNumberId())
                .bind("waba", config.businessAccountId())
                .bind("token", keys.seal(config.accessToken().bytes(), context("access_token", config.orgId())))
                .bind("secret", config.webhookSecret() == null ? null
                        : keys.seal(config.webhookSecret().bytes(), context("webhook_secret", config.orgId())))
                .bind("enabled", config.enabled())
                .bind("rate", config.messagesPerSecond())
                .bind("now", now)
                .bind("actor", actor)
                .execute());
        invalidate();
    }

    /**
     * Installs a new webhook secret, the app secret Meta shows after a reset (App Dashboard, App
     * settings, Basic): the current one becomes the previous one, valid until {@code now + overlap}
     * so that deliveries signed before the reset still pass.
     *
     * <p>For {@code Scope.org(o)}: org {@code o} and every org whose current secret is {@code o}'s
     * (orgs served by the same Meta app: Meta's reset changed it for all of them). For
     * {@code Scope.allOrgs()}: every org. The rows change in one transaction.
     *
     * @param dryRun select and check only, change nothing
     * @return the orgs whose secret is (or would be) replaced, sorted
     * @throws NoSuchElementException the org has no provider configuration
     * @throws io.whatsappoutbox.core.InvalidInputException a bad argument, or the secret is already
     *     the org's current one (a reset shows a new one)
     */
    public List<String> rotateWebhookSecret(Scope scope, Secret appSecret, Duration overlap, String actor,
            boolean dryRun) {
        Violations v = new Violations();
        v.requireNonNull("scope", scope);
        if (v.requireNonNull("secret", appSecret) && !WEBHOOK_SECRET.matcher(appSecret.reveal()).matches()) {
            v.add("secret", "has " + appSecret.reveal().length() + " characters or a blank", WEBHOOK_SECRET_RULE);
        }
        if (v.requireNonNull("overlap", overlap) && (overlap.isNegative() || overlap.compareTo(Duration.ofDays(30)) > 0)) {
            v.add("overlap", "is " + overlap, "between 0 and 30 days");
        }
        v.text("actor", actor, 64, null, "who rotates it, 1 to 64 characters");
        v.throwIfAny("secret rotation");
        Instant now = clock.instant();
        List<String> orgs = jdbi.inTransaction(h -> {
            List<Stored> rows = h.createQuery(SELECT + " ORDER BY org_id FOR UPDATE").map((rs, ctx) -> stored(rs)).list();
            List<Stored> targets = targets(rows, scope, appSecret);
            if (!dryRun) {
                targets.forEach(t -> install(h, t, appSecret, overlap, now, actor));
            }
            return targets.stream().map(Stored::orgId).toList();
        });
        if (!dryRun) {
            invalidate();
        }
        return orgs;
    }

    /** The rows a rotation replaces: the scope's org and the orgs sharing its secret, or every row. */
    private List<Stored> targets(List<Stored> rows, Scope scope, Secret appSecret) {
        String orgId = scope.orgIdOrNull();
        Stored target = orgId == null ? null : rows.stream().filter(r -> r.orgId().equals(orgId)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("No provider config for org " + orgId));
        requireKeys();
        if (target == null) {
            return rows;
        }
        Secret current = openOrNull(target.secret(), CURRENT, orgId);
        if (current == null) {
            return List.of(target); // none, or one that does not open: this org alone gets the new one
        }
        if (current.equals(appSecret)) {
            Violations v = new Violations();
            v.add("secret", "is already the current webhook secret of org " + orgId,
                    "the new app secret Meta shows after a reset");
            v.throwIfAny("secret rotation");
        }
        return rows.stream().filter(r -> r == target || current.equals(openOrNull(r.secret(), CURRENT, r.orgId())))
                .toList();
    }

    private void install(Handle h, Stored row, Secret appSecret, Duration overlap, Instant now, String actor) {
        Secret current = openOrNull(row.secret(), CURRENT, row.orgId());
        byte[] previous = current == null ? null : keys.seal(current.bytes(), context(PREVIOUS, row.orgId()));
        h.createUpdate("""
                        UPDATE whatsapp_provider_config
                           SET previous_webhook_secret_encrypted = :previous,
                               previous_webhook_secret_valid_until = :validUntil,
                               webhook_secret_encrypted = :secret,
                               updated_at = :now, updated_by = :actor
                         WHERE org_id = :org""")
                .bind("previous", previous)
                .bind("validUntil", previous == null ? null : now.plus(overlap))
                .bind("secret", keys.seal(appSecret.bytes(), context(CURRENT, row.orgId())))
                .bind("now", now)
                .bind("actor", actor)
                .bind("org", row.orgId())
                .execute();
    }

    /** A sealed secret opened, or null when there is none or it does not open with the configured keys. */
    private Secret openOrNull(byte[] sealed, String column, String orgId) {
        return open(sealed, column, orgId, new LinkedHashMap<>());
    }

    @Override
    public Optional<WhatsAppAccount> forOrg(String orgId) {
        return cached(byOrg, orgId, "org_id").map(this::account);
    }

    /**
     * The account a webhook is routed to. Routing needs no token: one that does not open is left
     * out (null) here, so that the org's webhooks still apply; sending, through {@link #forOrg},
     * still fails on it.
     */
    @Override
    public Optional<WhatsAppAccount> forPhoneNumberId(String phoneNumberId) {
        return cached(byPhone, phoneNumberId, "phone_number_id").map(s -> {
            Secret token = openOrNull(s.token(), "access_token", s.orgId());
            return new WhatsAppAccount(s.orgId(), s.phoneNumberId(), s.businessAccountId(), token, s.enabled());
        });
    }

    /**
     * The orgs of a business account, enabled or not, as the store applies its lifecycle webhooks
     * (the same rows). Routing needs no token: the accounts carry none.
     */
    @Override
    public List<WhatsAppAccount> forBusinessAccountId(String businessAccountId) {
        if (businessAccountId == null) {
            return List.of();
        }
        Instant now = clock.instant();
        Cached<List<Stored>> c = byBusinessAccount.get(businessAccountId);
        if (c == null || c.loadedAt().plus(cacheFor).isBefore(now)) {
            List<Stored> loaded = jdbi.withHandle(h -> h.createQuery(SELECT
                            + " WHERE business_account_id = :waba ORDER BY org_id")
                    .bind("waba", businessAccountId).map((rs, ctx) -> stored(rs)).list());
            c = new Cached<>(List.copyOf(loaded), now);
            byBusinessAccount.put(businessAccountId, c);
        }
        return c.value().stream().map(s -> new WhatsAppAccount(s.orgId(), s.phoneNumberId(), s.businessAccountId(),
                null, s.enabled())).toList();
    }

    /**
     * The webhook secrets of every enabled org, current and within their rotation overlap, routed by
     * phone number id. Loaded once per cache period; a signature that matches nothing reloads them
     * at most every {@link WebhookSecretCache#RELOAD_AT_MOST_EVERY}, one thread at a time. A secret
     * that does not open is left out and reported by {@link #webhookSecretsHealth()}.
     */
    public WebhookSecrets webhookSecrets() {
        return secrets;
    }

    /** Which webhook secrets did not open at the last load (loading them if needed). */
    public WebhookSecretsHealth webhookSecretsHealth() {
        requireKeys();
        WebhookSecretCache.Snapshot snapshot = secrets.snapshot();
        List<UnreadableSecret> unreadable = new ArrayList<>();
        snapshot.orgs().forEach(o -> o.unreadable().forEach((column, why) ->
                unreadable.add(new UnreadableSecret(o.orgId(), column, why))));
        return new WebhookSecretsHealth(snapshot.loadedAt(), snapshot.orgs().size(), unreadable);
    }

    /**
     * For each org of the scope, the sealed columns that do not open with the configured keys
     * (empty when all open): what {@code config list} reports.
     */
    public Map<String, List<String>> unreadableSecrets(Scope scope) {
        requireKeys();
        List<Stored> rows = jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE (:org::text IS NULL OR org_id = :org)"
                + " ORDER BY org_id").bind("org", scope.orgIdOrNull()).map((rs, ctx) -> stored(rs)).list());
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Stored r : rows) {
            List<String> columns = new ArrayList<>();
            if (r.token() != null && openOrNull(r.token(), "access_token", r.orgId()) == null) {
                columns.add("access_token");
            }
            unreadable(r).keySet().forEach(columns::add);
            out.put(r.orgId(), List.copyOf(columns));
        }
        return out;
    }

    /** Forgets what was read, so the next lookup sees the table. */
    public void invalidate() {
        byOrg.clear();
        byPhone.clear();
        byBusinessAccount.clear();
        secrets.invalidate();
    }

    private Optional<Stored> cached(Map<String, Cached<Optional<Stored>>> cache, String key, String column) {
        if (key == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Cached<Optional<Stored>> c = cache.get(key);
        if (c == null || c.loadedAt().plus(cacheFor).isBefore(now)) {
            Optional<Stored> loaded = jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE " + column + " = :key")
                    .bind("key", key).map((rs, ctx) -> stored(rs)).findFirst());
            c = new Cached<>(loaded, now);
            cache.put(key, c);
        }
        return c.value();
    }

    private List<WebhookSecretCache.Org> loadSecrets() {
        requireKeys();
        List<Stored> all = jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE enabled ORDER BY org_id")
                .map((rs, ctx) -> stored(rs)).list());
        List<WebhookSecretCache.Org> out = new ArrayList<>();
        for (Stored s : all) {
            List<WebhookSecrets.Candidate> candidates = new ArrayList<>();
            Map<String, String> unreadable = new LinkedHashMap<>();
            Secret current = open(s.secret(), CURRENT, s.orgId(), unreadable);
            if (current != null) {
                candidates.add(new WebhookSecrets.Candidate(s.orgId(), current, null));
            }
            Secret previous = s.previousValidUntil() == null ? null
                    : open(s.previousSecret(), PREVIOUS, s.orgId(), unreadable);
            if (previous != null) {
                candidates.add(new WebhookSecrets.Candidate(s.orgId(), previous, s.previousValidUntil()));
            }
            out.add(new WebhookSecretCache.Org(s.orgId(), s.phoneNumberId(), candidates, unreadable));
        }
        return out;
    }

    /** The webhook secret columns of a row that hold a value that does not open, with why. */
    private Map<String, String> unreadable(Stored s) {
        Map<String, String> out = new LinkedHashMap<>();
        open(s.secret(), CURRENT, s.orgId(), out);
        if (s.previousValidUntil() != null) {
            open(s.previousSecret(), PREVIOUS, s.orgId(), out);
        }
        return out;
    }

    /** A sealed secret opened; null when there is none, or it does not open (then {@code why} gets the column). */
    private Secret open(byte[] sealed, String column, String orgId, Map<String, String> why) {
        if (sealed == null) {
            return null;
        }
        try {
            return secret(keys.open(sealed, context(column, orgId)));
        } catch (SecretUnreadableException e) {
            why.put(column, e.getMessage());
            return null;
        }
    }

    private WhatsAppAccount account(Stored s) {
        requireKeys();
        Secret token = s.token() == null ? null : secret(keys.open(s.token(), context("access_token", s.orgId())));
        return new WhatsAppAccount(s.orgId(), s.phoneNumberId(), s.businessAccountId(), token, s.enabled());
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        return new Stored(rs.getString("org_id"), rs.getString("phone_number_id"), rs.getString("business_account_id"),
                rs.getBytes("access_token_encrypted"), rs.getBytes("webhook_secret_encrypted"),
                rs.getBytes("previous_webhook_secret_encrypted"),
                Times.instant(rs, "previous_webhook_secret_valid_until"), rs.getBoolean("enabled"));
    }

    private static Secret secret(byte[] raw) {
        return Secret.of(new String(raw, StandardCharsets.UTF_8));
    }

    static String context(String column, String orgId) {
        return "whatsapp_provider_config." + column + ":" + orgId;
    }

    /** Whether secrets can be opened here (the outbox was given its encryption keys). */
    public boolean hasEncryptionKeys() {
        return keys != null;
    }

    private void requireKeys() {
        if (keys == null) {
            throw new IllegalStateException("Provider configs hold secrets: configure JdbcOutbox.builder().encryptionKeys(...)");
        }
    }
}

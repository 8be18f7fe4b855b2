package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import io.whatsappoutbox.jdbc.internal.Times;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Provider configurations in {@code whatsapp_provider_config}: saved with secrets sealed, read back
 * as the accounts providers send with and the secrets webhooks are verified with. Reads are cached
 * for a few seconds (a dispatcher looks its account up for every message); a save or a rotation
 * through this object clears the cache, and other instances see it within the cache's lifetime.
 */
public final class ProviderConfigs implements WhatsAppAccounts {
    private static final String SELECT = """
            SELECT org_id, phone_number_id, business_account_id, access_token_encrypted, webhook_secret_encrypted,
                   previous_webhook_secret_encrypted, previous_webhook_secret_valid_until, enabled,
                   messages_per_second, updated_at, updated_by
              FROM whatsapp_provider_config""";

    private final Jdbi jdbi;
    private final EncryptionKeys keys;
    private final Clock clock;
    private final Duration cacheFor;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Cached<Optional<Stored>>> byOrg = new ConcurrentHashMap<>();
    private final Map<String, Cached<Optional<Stored>>> byPhone = new ConcurrentHashMap<>();
    private volatile Cached<List<WebhookSecrets.Candidate>> secrets;

    ProviderConfigs(Jdbi jdbi, EncryptionKeys keys, Clock clock, Duration cacheFor) {
        this.jdbi = jdbi;
        this.keys = keys;
        this.clock = clock;
        this.cacheFor = cacheFor;
    }

    private record Cached<T>(T value, Instant loadedAt) {}

    /** A row, secrets still sealed: they are opened only when asked for. */
    private record Stored(String orgId, String phoneNumberId, String businessAccountId, byte[] token, byte[] secret,
            byte[] previousSecret, Instant previousValidUntil, boolean enabled, Integer messagesPerSecond) {}

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
     * Replaces an org's webhook secret with a new random 256-bit one; the old one stays valid until
     * {@code now + overlap}, so webhooks signed by the provider before it is switched still pass.
     *
     * @return the new secret: shown once, to be set on the provider side; never stored in clear
     */
    public Secret rotateWebhookSecret(String orgId, Duration overlap, String actor) {
        requireKeys();
        Violations v = new Violations();
        OutboundMessageRequest.validateOrgId(v, "orgId", orgId);
        if (v.requireNonNull("overlap", overlap) && (overlap.isNegative() || overlap.compareTo(Duration.ofDays(30)) > 0)) {
            v.add("overlap", "is " + overlap, "between 0 and 30 days");
        }
        v.text("actor", actor, 64, null, "who rotates it, 1 to 64 characters");
        v.throwIfAny("secret rotation");
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        Secret fresh = Secret.of(HexFormat.of().formatHex(raw));
        Instant now = clock.instant();
        int updated = jdbi.inTransaction(h -> {
            Optional<Optional<byte[]>> row = h.createQuery("""
                            SELECT webhook_secret_encrypted FROM whatsapp_provider_config WHERE org_id = :org FOR UPDATE""")
                    .bind("org", orgId).map((rs, ctx) -> Optional.ofNullable(rs.getBytes(1))).findFirst();
            if (row.isEmpty()) {
                return 0;
            }
            byte[] previous = row.get().map(sealed -> keys.seal(keys.open(sealed, context("webhook_secret", orgId)),
                    context("previous_webhook_secret", orgId))).orElse(null);
            return h.createUpdate("""
                            UPDATE whatsapp_provider_config
                               SET previous_webhook_secret_encrypted = :previous,
                                   previous_webhook_secret_valid_until = :validUntil,
                                   webhook_secret_encrypted = :secret,
                                   updated_at = :now, updated_by = :actor
                             WHERE org_id = :org""")
                    .bind("previous", previous)
                    .bind("validUntil", previous == null ? null : now.plus(overlap))
                    .bind("secret", keys.seal(fresh.bytes(), context("webhook_secret", orgId)))
                    .bind("now", now)
                    .bind("actor", actor)
                    .bind("org", orgId)
                    .execute();
        });
        if (updated == 0) {
            throw new java.util.NoSuchElementException("No provider config for org " + orgId);
        }
        invalidate();
        return fresh;
    }

    @Override
    public Optional<WhatsAppAccount> forOrg(String orgId) {
        return cached(byOrg, orgId, "org_id").map(this::account);
    }

    @Override
    public Optional<WhatsAppAccount> forPhoneNumberId(String phoneNumberId) {
        return cached(byPhone, phoneNumberId, "phone_number_id").map(this::account);
    }

    /** The webhook secrets of every enabled org, current and within their rotation overlap. */
    public WebhookSecrets webhookSecrets() {
        return new WebhookSecrets() {
            @Override
            public List<Candidate> candidates(Instant now) {
                Cached<List<Candidate>> c = secrets;
                if (c == null || c.loadedAt().plus(cacheFor).isBefore(clock.instant())) {
                    c = new Cached<>(loadSecrets(), clock.instant());
                    secrets = c;
                }
                return c.value().stream().filter(x -> x.validAt(now)).toList();
            }

            @Override
            public List<Candidate> refresh(Instant now) {
                secrets = null;
                return candidates(now);
            }
        };
    }

    /** Forgets what was read, so the next lookup sees the table. */
    public void invalidate() {
        byOrg.clear();
        byPhone.clear();
        secrets = null;
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

    private List<WebhookSecrets.Candidate> loadSecrets() {
        requireKeys();
        List<Stored> all = jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE enabled")
                .map((rs, ctx) -> stored(rs)).list());
        List<WebhookSecrets.Candidate> out = new ArrayList<>();
        for (Stored s : all) {
            if (s.secret() != null) {
                out.add(new WebhookSecrets.Candidate(s.orgId(),
                        secret(keys.open(s.secret(), context("webhook_secret", s.orgId()))), null));
            }
            if (s.previousSecret() != null && s.previousValidUntil() != null) {
                out.add(new WebhookSecrets.Candidate(s.orgId(), secret(keys.open(s.previousSecret(),
                        context("previous_webhook_secret", s.orgId()))), s.previousValidUntil()));
            }
        }
        return List.copyOf(out);
    }

    private WhatsAppAccount account(Stored s) {
        requireKeys();
        Secret token = s.token() == null ? null : secret(keys.open(s.token(), context("access_token", s.orgId())));
        return new WhatsAppAccount(s.orgId(), s.phoneNumberId(), s.businessAccountId(), token, s.enabled());
    }

    /** The sending rate configured for an org's number, or empty for the dispatcher's default. */
    public Optional<Integer> messagesPerSecond(String orgId) {
        return cached(byOrg, orgId, "org_id").map(Stored::messagesPerSecond);
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        int rate = rs.getInt("messages_per_second");
        Integer messagesPerSecond = rs.wasNull() ? null : rate;
        return new Stored(rs.getString("org_id"), rs.getString("phone_number_id"), rs.getString("business_account_id"),
                rs.getBytes("access_token_encrypted"), rs.getBytes("webhook_secret_encrypted"),
                rs.getBytes("previous_webhook_secret_encrypted"),
                Times.instant(rs, "previous_webhook_secret_valid_until"), rs.getBoolean("enabled"), messagesPerSecond);
    }

    private static Secret secret(byte[] raw) {
        return Secret.of(new String(raw, StandardCharsets.UTF_8));
    }

    static String context(String column, String orgId) {
        return "whatsapp_provider_config." + column + ":" + orgId;
    }

    private void requireKeys() {
        if (keys == null) {
            throw new IllegalStateException("Provider configs hold secrets: configure JdbcOutbox.builder().encryptionKeys(...)");
        }
    }
}

package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ops.ConfigChange;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.ProviderConfigSummary;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.ops.SecretRotation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.whatsappoutbox.jdbc.ProviderConfigs;
import org.jdbi.v3.core.Jdbi;

/**
 * Provider configurations for operators: listed without their secrets (with the ones that do not
 * open, when the keys are at hand), and the webhook secret rotated through the store's own
 * rotation (which seals the new secret and keeps the previous one for the overlap). Internal.
 */
final class ConfigOps {
    private final Jdbi jdbi;
    private final Clock clock;
    private final AuditLog audit;
    private final ProviderConfigs configs;

    ConfigOps(Jdbi jdbi, Clock clock, AuditLog audit, ProviderConfigs configs) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.audit = audit;
        this.configs = configs;
    }

    List<ProviderConfigSummary> list(Scope scope) {
        Objects.requireNonNull(scope, "scope");
        Instant now = clock.instant();
        Map<String, List<String>> unreadable = configs.hasEncryptionKeys() ? configs.unreadableSecrets(scope) : Map.of();
        return jdbi.withHandle(h -> h.createQuery(ReportSql.PROVIDER_CONFIGS)
                .bind("org", scope.orgIdOrNull())
                .bind("now", now)
                .map((rs, ctx) -> {
                    int rate = rs.getInt("messages_per_second");
                    Integer perSecond = rs.wasNull() ? null : rate;
                    Instant updatedAt = Times.instant(rs, "updated_at");
                    return new ProviderConfigSummary(rs.getString("org_id"), rs.getString("phone_number_id"),
                            rs.getString("business_account_id"), rs.getBoolean("enabled"), rs.getBoolean("has_token"),
                            rs.getBoolean("has_secret"), Times.instant(rs, "previous_webhook_secret_valid_until"),
                            perSecond, Times.instant(rs, "created_at"), updatedAt, rs.getString("updated_by"),
                            Math.max(0, Duration.between(updatedAt, now).toDays()),
                            configs.hasEncryptionKeys() ? unreadable.getOrDefault(rs.getString("org_id"), List.of()) : null,
                            rs.getString("quality_rating"), rs.getString("messaging_limit"), rs.getString("standing"));
                })
                .list());
    }

    List<ConfigChange> changes(Scope scope, Duration since) {
        Objects.requireNonNull(scope, "scope");
        Violations v = new Violations();
        OpsChecks.age(v, "since", since, Duration.ofMinutes(1));
        v.throwIfAny("config changes query");
        Instant now = clock.instant();
        return jdbi.withHandle(h -> h.createQuery(ReportSql.CONFIG_CHANGES)
                .bind("org", scope.orgIdOrNull())
                .bind("since", now.minus(since))
                .map((rs, ctx) -> new ConfigChange(rs.getString("org_id"), rs.getString("phone_number_id"),
                        rs.getBoolean("enabled"), Times.instant(rs, "updated_at"), rs.getString("updated_by")))
                .list());
    }

    SecretRotation rotate(Scope scope, Secret appSecret, Duration overlap, Operator operator, boolean dryRun) {
        Duration effective = overlap == null ? OutboxOperations.DEFAULT_SECRET_OVERLAP : overlap;
        Violations v = new Violations();
        v.requireNonNull("scope", scope);
        if (effective.isNegative() || effective.compareTo(Duration.ofDays(30)) > 0) {
            v.add("overlap", "is " + effective, "between 0 and 30 days");
        }
        v.requireNonNull("secret", appSecret);
        v.requireNonNull("operator", operator);
        v.throwIfAny("secret rotation");
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("overlap", effective.toString());
        AuditLog.Entry entry = AuditLog.Entry.start(OperationKind.ROTATE_WEBHOOK_SECRET, operator, scope.label(), filter,
                dryRun);
        List<String> orgs = configs.rotateWebhookSecret(scope, appSecret, effective, operator.name(), dryRun);
        Instant validUntil = dryRun || orgs.isEmpty() ? null : jdbi.withHandle(h -> h.createQuery(
                        ChangeSql.PREVIOUS_SECRET_VALID_UNTIL).bindArray("orgs", String.class, orgs)
                .mapTo(Instant.class).one());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("orgs", orgs);
        details.put("previousValidUntil", validUntil == null ? null : validUntil.toString());
        details.put("secret", "not recorded"); // given by the operator, never stored in clear
        audit.insert(entry, orgs.size(), details);
        return new SecretRotation(entry.operationId(), dryRun, scope.orgIdOrNull(), orgs, validUntil);
    }
}

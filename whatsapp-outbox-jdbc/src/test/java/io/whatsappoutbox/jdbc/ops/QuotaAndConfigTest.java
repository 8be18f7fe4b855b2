package io.whatsappoutbox.jdbc.ops;

import static io.whatsappoutbox.jdbc.ops.OpsFixture.OPERATOR;
import static io.whatsappoutbox.jdbc.ops.OpsFixture.T0;
import static io.whatsappoutbox.jdbc.ops.OpsFixture.ago;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.jdbc.ops.ConfigChange;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.ProviderConfigSummary;
import io.whatsappoutbox.jdbc.ops.QuotaChange;
import io.whatsappoutbox.jdbc.ops.QuotaUsage;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.ops.SecretRotation;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.jdbc.ProviderConfig;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QuotaAndConfigTest {
    final OpsFixture f = new OpsFixture();
    final OutboxOperations ops = f.ops();

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void quotasListOrgsAboveTheThresholdOrThrottledWithResetAndThrottleTimes() {
        f.seed.quota("org-hot", 1000, 950, T0.plusSeconds(3 * 3600), null);
        f.seed.quota("org-warm", 1000, 750, T0.plusSeconds(3600), null);
        f.seed.quota("org-calm", 1000, 100, T0.plusSeconds(3600), null);
        f.seed.quota("org-throttled", 1000, 10, T0.plusSeconds(3600), T0.plusSeconds(600));
        f.seed.quota("org-stale", 1000, 1000, T0.minusSeconds(60), null); // period over: counting starts again

        List<QuotaUsage> above = ops.quotas(Scope.allOrgs(), 80);

        assertThat(above).extracting(QuotaUsage::orgId).containsExactly("org-hot", "org-throttled");
        QuotaUsage hot = above.get(0);
        assertThat(hot.usagePercent()).isEqualTo(95.0);
        assertThat(hot.untilReset()).isEqualTo(Duration.ofHours(3));
        assertThat(above.get(1).throttledFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(ops.quotas(Scope.allOrgs(), 70)).extracting(QuotaUsage::orgId)
                .containsExactly("org-hot", "org-warm", "org-throttled");
        assertThat(ops.quotas(Scope.org("org-warm"), 80)).isEmpty();
    }

    /** The runbook's quota increase, with its verification. */
    @Test
    void settingAQuotaChangesOnlyTheLimitAndIsAuditedWithBeforeAndAfter() {
        f.seed.quota("org-1", 1000, 990, T0.plusSeconds(3600), null);

        QuotaChange dry = ops.setQuota("org-1", 5000, null, OPERATOR, true);
        assertThat(dry.after().quotaLimit()).isEqualTo(5000L);
        assertThat(f.sql.one("SELECT quota_limit FROM whatsapp_rate_limit")).isEqualTo(1000L);

        QuotaChange change = ops.setQuota("org-1", 5000, null, OPERATOR, false);
        assertThat(change.before().quotaLimit()).isEqualTo(1000L);
        assertThat(change.after()).isEqualTo(dry.after());
        assertThat(change.after().usagePercent()).isEqualTo(19.8);
        assertThat(change.after().sentCount()).isEqualTo(990);
        assertThat(change.after().resetAt()).isEqualTo(T0.plusSeconds(3600));
        assertThat(change.after().updatedBy()).isEqualTo("jdoe");
        assertThat(f.sql.rows("SELECT details_json->'before'->>'quotaLimit' AS before, details_json->'after'->>'quotaLimit'"
                + " AS after, dry_run FROM outbox_audit ORDER BY id")).extracting(r -> r.get("before") + ">" + r.get("after")
                + ":" + r.get("dry_run")).containsExactly("1000>5000:true", "1000>5000:false");
    }

    @Test
    void settingAQuotaForAnOrgWithoutARowCreatesOneStartingAPeriodNow() {
        QuotaChange c = ops.setQuota("org-new", 200, Duration.ofHours(1), OPERATOR, false);
        assertThat(c.before()).isNull();
        assertThat(c.after().period()).isEqualTo(Duration.ofHours(1));
        assertThat(c.after().resetAt()).isEqualTo(T0.plusSeconds(3600));
        assertThat(c.after().sentCount()).isZero();
    }

    /** The runbook's "rate limit not resetting": count to 0, a fresh period, no throttle. */
    @Test
    void resettingAQuotaClearsTheCountStartsAFreshPeriodAndLiftsTheThrottle() {
        f.seed.quota("org-1", 1000, 1000, T0.plusSeconds(3600), T0.plusSeconds(1800));
        QuotaChange c = ops.resetQuota("org-1", OPERATOR, false);
        assertThat(c.before().throttleUntil()).isEqualTo(T0.plusSeconds(1800));
        assertThat(c.after().sentCount()).isZero();
        assertThat(c.after().throttleUntil()).isNull();
        assertThat(c.after().resetAt()).isEqualTo(T0.plus(Duration.ofDays(1)));
        assertThat(f.sql.one("SELECT action FROM outbox_audit")).isEqualTo("RESET_QUOTA");
    }

    @Test
    void providerConfigsAreListedWithoutTheirSecrets() {
        f.outbox.providerConfigs().save(new ProviderConfig("org-1", "100000000000001", "200000000000001", Secret.of("EAAG-token"),
                Secret.of("webhook-secret-1"), true, 40), "alice");
        f.seed.providerConfig("org-2", "100000000000002", ago(Duration.ofDays(12)), "bob");

        List<ProviderConfigSummary> all = ops.providerConfigs(Scope.allOrgs());

        assertThat(all).extracting(ProviderConfigSummary::orgId).containsExactly("org-1", "org-2");
        assertThat(all.get(0).hasAccessToken()).isTrue();
        assertThat(all.get(0).hasWebhookSecret()).isTrue();
        assertThat(all.get(1).hasWebhookSecret()).isFalse();
        assertThat(all.get(1).daysSinceUpdate()).isEqualTo(12);
        assertThat(all.toString()).doesNotContain("EAAG-token").doesNotContain("webhook-secret-1");
        assertThat(ops.providerConfigs(Scope.org("org-2"))).hasSize(1);
        assertThat(ops.configChanges(Scope.allOrgs(), Duration.ofDays(7))).extracting(ConfigChange::orgId)
                .containsExactly("org-1");
    }

    @Test
    void rotatingInstallsTheAppSecretMetaShowsKeepsThePreviousOneForTheOverlapAndAuditsItWithoutTheSecret() {
        f.outbox.providerConfigs().save(new ProviderConfig("org-1", "100000000000001", "200000000000001", Secret.of("EAAG-token"),
                Secret.of("old-secret"), true, null), "alice");
        Secret reset = Secret.of("0f9e8d7c6b5a49382716a5b4c3d2e1f0");

        SecretRotation dry = ops.rotateWebhookSecret(Scope.org("org-1"), reset, null, OPERATOR, true);
        assertThat(dry.orgIds()).containsExactly("org-1");
        assertThat(f.outbox.providerConfigs().webhookSecrets().refresh(T0)).extracting(c -> c.secret().reveal())
                .containsExactly("old-secret");

        SecretRotation r = ops.rotateWebhookSecret(Scope.org("org-1"), reset, null, OPERATOR, false);

        assertThat(r.orgId()).isEqualTo("org-1");
        assertThat(r.orgIds()).containsExactly("org-1");
        assertThat(r.previousValidUntil()).isEqualTo(T0.plus(Duration.ofDays(7)));
        assertThat(r.toString()).doesNotContain(reset.reveal());
        List<WebhookSecrets.Candidate> candidates = f.outbox.providerConfigs().webhookSecrets().refresh(T0);
        assertThat(candidates).extracting(c -> c.secret().reveal()).containsExactlyInAnyOrder(reset.reveal(), "old-secret");
        String audit = f.sql.rows("SELECT filter_json::text || details_json::text AS j FROM outbox_audit"
                + " WHERE operation_id = ?", r.operationId()).get(0).get("j").toString();
        assertThat(audit).contains("PT168H").contains("org-1").doesNotContain(reset.reveal()).doesNotContain("old-secret");
        assertThat(f.sql.one("SELECT updated_by FROM whatsapp_provider_config")).isEqualTo("jdoe");
        assertThat(f.outbox.providerConfigs().webhookSecrets().refresh(T0.plus(Duration.ofDays(8))))
                .hasSize(1);
        assertThatThrownBy(() -> ops.rotateWebhookSecret(Scope.org("org-9"), reset, null, OPERATOR, false))
                .isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> ops.rotateWebhookSecret(Scope.org("org-1"), Secret.of("short"), null, OPERATOR, false))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("secret");
    }

    @Test
    void configListNamesTheSecretsThatDoNotOpen() {
        f.outbox.providerConfigs().save(ProviderConfig.of("org-1", "100000000000001", Secret.of("EAAG-token"),
                Secret.of("secret-1")), "alice");
        f.outbox.providerConfigs().save(ProviderConfig.of("org-2", "100000000000002", Secret.of("EAAG-token"),
                Secret.of("secret-2")), "alice");
        f.sql.update("UPDATE whatsapp_provider_config SET webhook_secret_encrypted = access_token_encrypted"
                + " WHERE org_id = 'org-2'");
        assertThat(ops.providerConfigs(Scope.allOrgs())).extracting(ProviderConfigSummary::orgId,
                ProviderConfigSummary::unreadableSecrets).containsExactly(
                org.assertj.core.groups.Tuple.tuple("org-1", List.of()),
                org.assertj.core.groups.Tuple.tuple("org-2", List.of("webhook_secret")));
        try (JdbcOutbox keyless = JdbcOutbox.builder().dataSource(f.ds).build()) {
            assertThat(keyless.operations().providerConfigs(Scope.allOrgs()))
                    .allSatisfy(c -> assertThat(c.unreadableSecrets()).isNull());
        }
    }
}

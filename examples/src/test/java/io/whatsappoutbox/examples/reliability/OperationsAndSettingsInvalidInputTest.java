package io.whatsappoutbox.examples.reliability;

import static io.whatsappoutbox.examples.reliability.InvalidInput.SCRIPT_INJECTION;
import static io.whatsappoutbox.examples.reliability.InvalidInput.SQL_INJECTION;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.jdbc.ops.ArchiveFormat;
import io.whatsappoutbox.jdbc.ops.AuditQuery;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.CancelFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterQuery;
import io.whatsappoutbox.jdbc.ops.ExportRequest;
import io.whatsappoutbox.jdbc.ops.FailureQuery;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.QueueStatusQuery;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.examples.reliability.InvalidInput.Case;
import io.whatsappoutbox.examples.reliability.InvalidInput.Cases;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.testing.OpsSeed;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import io.whatsappoutbox.meta.MetaCloudProvider;
import io.whatsappoutbox.meta.MetaWebhookHandler;
import io.whatsappoutbox.sms.TwilioSmsProvider;
import io.whatsappoutbox.sms.TwilioStatusCallbackHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operations API (every change, every filter and query) and the settings of every component a
 * host builds, given bad values: refused with the field named, nothing written, not even an audit row.
 */
class OperationsAndSettingsInvalidInputTest {
    static final Operator OPERATOR = Operator.of("jdoe", "INC-1 input test");
    static final Secret APP_SECRET = Secret.of("6f1c0d0b5b2e4c8a9e7f3a1b2c4d6e8f");
    static HikariDataSource ds;
    static JdbcOutbox outbox;
    static OutboxOperations ops;
    static Sql sql;
    static long dead;
    static long figuresCases;

    @BeforeAll
    static void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).build();
        ops = outbox.operations();
        sql = new Sql(ds);
        OpsSeed seed = new OpsSeed(outbox);
        dead = seed.failed("org-ops", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY,
                Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(2)));
        seed.quota("org-ops", 100, 10, Instant.now().plus(Duration.ofHours(5)), null);
    }

    @AfterAll
    static void stop() {
        Figures.of("invalid-input-operations-and-settings").put("casesRefusedWithTheirField", figuresCases)
                .put("casesThatWrote", 0).write();
        ds.close();
    }

    static Stream<Case> cases() {
        String[] badOrg = {"org one", "-org"};
        return new Cases()
                .text("Scope.org", "org", 64, Scope::org, badOrg)
                .text("Operator.of", "operator", 64, v -> Operator.of(v, "INC-1"), "j doe", "-jdoe")
                .strings("Operator.of", "reason", v -> Operator.of("jdoe", v), null, "", "  ", "ab", "r".repeat(501),
                        "two\nlines")
                .text("operations.retry", "org", 64, v -> ops.retry(v, dead, OPERATOR, false), badOrg)
                .one("operations.retry", "messageId", "0", () -> ops.retry("org-ops", 0, OPERATOR, false))
                .one("operations.retry", "operator", "null", () -> ops.retry("org-ops", dead, null, false))
                .text("operations.cancel", "org", 64, v -> ops.cancel(v, dead, OPERATOR, false), badOrg)
                .text("operations.setQuota", "org", 64, v -> ops.setQuota(v, 10, null, OPERATOR, false), badOrg)
                .one("operations.setQuota", "quotaLimit", "-5", () -> ops.setQuota("org-ops", -5, null, OPERATOR, false))
                .one("operations.setQuota", "period", "30 s", () -> ops.setQuota("org-ops", 5, Duration.ofSeconds(30),
                        OPERATOR, false))
                .text("operations.resetQuota", "org", 64, v -> ops.resetQuota(v, OPERATOR, false), badOrg)
                .text("operations.rotateWebhookSecret", "org", 64, v -> ops.rotateWebhookSecret(Scope.org(v), APP_SECRET,
                        null, OPERATOR, false), badOrg)
                .one("operations.rotateWebhookSecret", "overlap", "31 days", () -> ops.rotateWebhookSecret(
                        Scope.org("org-ops"), APP_SECRET, Duration.ofDays(31), OPERATOR, false))
                .one("operations.rotateWebhookSecret", "secret", "null", () -> ops.rotateWebhookSecret(
                        Scope.org("org-ops"), null, null, OPERATOR, false))
                .one("operations.quotas", "minUsagePercent", "-1", () -> ops.quotas(Scope.allOrgs(), -1))
                .one("operations.configChanges", "since", "0 s", () -> ops.configChanges(Scope.allOrgs(), Duration.ZERO))
                .strings("DeadLetterFilter.withErrorCodes", "errorCodes", v -> DeadLetterFilter.all().withErrorCodes(v),
                        null, "", "1310 16", SQL_INJECTION, SCRIPT_INJECTION, "131016' --", "9".repeat(65))
                .one("DeadLetterFilter", "minAge", "-1 h", () -> DeadLetterFilter.all().withMinAge(Duration.ofHours(-1)))
                .one("DeadLetterFilter", "maxAge", "below minAge", () -> DeadLetterFilter.all()
                        .withMinAge(Duration.ofDays(7)).withMaxAge(Duration.ofDays(1)))
                .strings("CancelFilter.withErrorCodes", "errorCodes", v -> CancelFilter.queued()
                        .withErrorCodes(List.of(v)), SQL_INJECTION, SCRIPT_INJECTION)
                .one("CancelFilter", "statuses", "SENT", () -> CancelFilter.queued().withStatuses(MessageStatus.SENT))
                .one("BulkOptions", "limit", "0", () -> BulkOptions.defaults().withLimit(0))
                .one("BulkOptions", "limit", "1,000,000", () -> BulkOptions.defaults().withLimit(1_000_000))
                .one("BulkOptions", "batchSize", "5000", () -> BulkOptions.defaults().withBatchSize(5000))
                .one("BulkOptions", "pause", "1 h", () -> BulkOptions.defaults().withPause(Duration.ofHours(1)))
                .one("QueueStatusQuery", "window", "5000 days", () -> QueueStatusQuery.defaults()
                        .withWindow(Duration.ofDays(5000)))
                .one("FailureQuery", "top", "0", () -> FailureQuery.defaults().withTop(0))
                .one("DeadLetterQuery", "growthDays", "-1", () -> DeadLetterQuery.defaults().withGrowthDays(-1))
                // null is "any operator" there
                .strings("AuditQuery.withOperator", "operator", v -> AuditQuery.recent().withOperator(v), "", "j doe",
                        "o".repeat(65), SQL_INJECTION, SCRIPT_INJECTION)
                .one("AuditQuery", "limit", "0", () -> AuditQuery.recent().withLimit(0))
                .one("ExportRequest", "file", "null", () -> ExportRequest.of(null, ArchiveFormat.CSV, null))
                .one("ExportRequest", "limit", "0", () -> ExportRequest.of(Path.of("x.csv"), ArchiveFormat.CSV, null)
                        .withLimit(0))
                .one("operations.archiveDeadLetters", "olderThan", "no minimum age", () -> ops.archiveDeadLetters(
                        Scope.org("org-ops"), ExportRequest.of(Figures.DIR.resolve("never.csv"), ArchiveFormat.CSV,
                                DeadLetterFilter.all()), OPERATOR))
                .one("operations.exportDeadLetters", "file", "in a missing directory", () -> ops.exportDeadLetters(
                        Scope.org("org-ops"), ExportRequest.of(Path.of("/nonexistent-dir/x.csv"), ArchiveFormat.CSV,
                                DeadLetterFilter.all()), OPERATOR))
                .one("Dispatcher.Builder", "batchSize", "0", () -> dispatcher().batchSize(0).build())
                .one("Dispatcher.Builder", "lease", "shorter than closeTimeout", () -> dispatcher()
                        .lease(Duration.ofSeconds(5)).closeTimeout(Duration.ofSeconds(10)).build())
                .strings("Dispatcher.Builder", "instanceId", v -> dispatcher().instanceId(v).build(), null, "",
                        "node 1", SQL_INJECTION, "i".repeat(101))
                .one("Dispatcher.Builder", "providers", "none", () -> outbox.dispatcher().build())
                .one("Dispatcher.Builder", "concurrency", "0", () -> dispatcher().concurrency(0).build())
                .strings("MetaCloudProvider.Builder", "baseUrl", v -> meta().baseUrl(v).build(), null, "", "graph",
                        "http://graph.example.com", "https://graph.facebook.com/?x=1", SCRIPT_INJECTION)
                .strings("MetaCloudProvider.Builder", "graphVersion", v -> meta().graphVersion(v).build(), null, "",
                        "23.0", "v23", SQL_INJECTION)
                .one("MetaCloudProvider.Builder", "callTimeout", "0", () -> meta().callTimeout(Duration.ZERO).build())
                .one("MetaWebhookHandler.Builder", "secrets", "null", () -> MetaWebhookHandler.builder()
                        .accounts(outbox.providerConfigs()).sink(b -> null).build())
                .one("MetaWebhookHandler.Builder", "maxBodyBytes", "0", () -> MetaWebhookHandler.builder()
                        .secrets(outbox.providerConfigs().webhookSecrets()).accounts(outbox.providerConfigs())
                        .sink(b -> null).maxBodyBytes(0).build())
                .strings("TwilioSmsProvider.Builder", "accountSid", v -> twilio().accountSid(v).build(), null, "",
                        "AC123", SQL_INJECTION)
                .strings("TwilioSmsProvider.Builder", "from", v -> twilio().from(v).build(), "0612345678", SQL_INJECTION)
                .strings("TwilioStatusCallbackHandler.Builder", "publicUrl", v -> TwilioStatusCallbackHandler.builder()
                        .authToken(Secret.of("f00dfeedcafe1234beef5678deadc0de")).sink(b -> null).publicUrl(v).build(),
                        "", "ftp://hooks.example.com", "not a url", SCRIPT_INJECTION)
                .strings("JdbcOutbox.Builder", "jdbcUrl", v -> JdbcOutbox.builder().jdbcUrl(v, "u", "p").build(),
                        "", "jdbc:mysql://localhost/db", SQL_INJECTION)
                .one("JdbcOutbox.Builder", "maximumPoolSize", "0", () -> JdbcOutbox.builder().dataSource(ds)
                        .maximumPoolSize(0).build())
                .one("RetryPolicy.Builder", "baseDelay", "-1 s", () -> RetryPolicy.builder().baseDelay(Duration.ofSeconds(-1))
                        .build())
                .one("RetryPolicy.Builder", "maxAttempts[UNKNOWN]", "0", () -> RetryPolicy.builder()
                        .maxAttempts(ErrorCategory.UNKNOWN, 0).build())
                .one("JdbcOutbox.Builder", "defaultMaxAttempts", "0", () -> JdbcOutbox.builder().dataSource(ds)
                        .defaultMaxAttempts(0).build())
                .stream();
    }

    static Dispatcher.Builder dispatcher() {
        return outbox.dispatcher().provider(Channel.WHATSAPP, ScriptedProvider.whatsapp());
    }

    static MetaCloudProvider.Builder meta() {
        return MetaCloudProvider.builder().accounts(outbox.providerConfigs());
    }

    static TwilioSmsProvider.Builder twilio() {
        return TwilioSmsProvider.builder().baseUrl("https://api.twilio.com").accountSid("AC" + "0".repeat(32))
                .authToken(Secret.of("f00dfeedcafe1234beef5678deadc0de")).from("+15017122661");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithTheFieldNamedAndNothingWritten(Case c) {
        InvalidInput.assertRefused(c, sql);
        figuresCases++;
    }
}

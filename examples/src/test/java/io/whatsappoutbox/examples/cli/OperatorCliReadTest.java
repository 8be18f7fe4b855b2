package io.whatsappoutbox.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.examples.cli.CliFixture.Run;
import io.whatsappoutbox.core.testing.Requests;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OperatorCliReadTest {
    final CliFixture f = new CliFixture();

    @BeforeEach
    void seed() {
        f.seed.queued("org-1", Channel.WHATSAPP, f.ago(Duration.ofHours(3)), f.ago(Duration.ofHours(3)));
        f.seed.sending("org-1", Channel.WHATSAPP, f.ago(Duration.ofHours(1)), f.ago(Duration.ofMinutes(10)), 1);
        f.seed.accepted("org-1", Channel.WHATSAPP, "DELIVERED", f.ago(Duration.ofMinutes(30)), 1500);
        f.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, f.ago(Duration.ofMinutes(50)),
                f.ago(Duration.ofMinutes(20)));
        f.seed.failed("org-2", Channel.SMS, "NO_CONSENT", ErrorCategory.OPTED_OUT, f.ago(Duration.ofDays(40)),
                f.ago(Duration.ofDays(35)));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void statusPrintsAHumanTableWithMaskedRecipients() {
        Run r = f.run("status", "--org", "org-1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Queue status, scope org-1").contains("QUEUED").contains("Stuck: 1 QUEUED")
                .contains("1 SENDING with an expired lease").contains("+336****");
        for (int i = 0; i < 10; i++) {
            assertThat(r.out()).doesNotContain(Requests.phone(i + 1)); // never a full number
        }
    }

    @Test
    void statusAsJsonHasTheDocumentedShape() {
        JsonNode j = f.run("status", "--all-orgs", "--json", "--stuck-after", "1h").json();
        assertThat(fields(j)).containsExactly("asOf", "scope", "window", "statuses", "queuedNow", "sendingNow",
                "stuckQueued", "stuckSending", "stuckMessages");
        assertThat(j.get("scope").asText()).isEqualTo("*");
        assertThat(j.get("window").asText()).isEqualTo("PT24H");
        assertThat(j.get("statuses")).hasSize(7);
        assertThat(fields(j.get("statuses").get(0))).containsExactly("status", "count", "oldestCreatedAt",
                "newestCreatedAt", "oldestUpdatedAt", "newestUpdatedAt", "averageAttempts");
        assertThat(j.get("stuckMessages")).hasSize(2);
        assertThat(fields(j.get("stuckMessages").get(0))).containsExactly("id", "orgId", "channel", "recipient", "status",
                "attemptCount", "createdAt", "stuckSince", "stuckFor");
        assertThat(j.get("stuckMessages").get(0).get("recipient").asText()).contains("****");
    }

    @Test
    void failuresAndTheDeadLetterReportCoverTheRunbooksChecks() {
        Run failures = f.run("failures", "--org", "org-1");
        assertThat(failures.exitCode()).isZero();
        assertThat(failures.out()).contains("131016").contains("TEMPORARY").contains("FAILURE RATE %");

        JsonNode report = f.run("dlq", "report", "--all-orgs", "--json").json();
        assertThat(report.get("size").asLong()).isEqualTo(2);
        assertThat(CliFixture.texts(asArray(report.get("ageBuckets").findValues("label"))))
                .containsExactly("<1d", "1-7d", "7-30d", ">30d");
        assertThat(report.get("recommendations").toString()).contains("Archive the 1 dead letter(s) older than 30 days");
        Run human = f.run("dlq", "report", "--org", "org-2");
        assertThat(human.out()).contains("Total: 1 message(s)").contains("NO_CONSENT").contains("Recommendations:");
    }

    @Test
    void usageCountsSentDeliveredAndBillablePerOrgTemplateAndPricingCategory() {
        long id = f.seed.accepted("org-1", Channel.WHATSAPP, "DELIVERED", f.ago(Duration.ofMinutes(20)), 100);
        f.sql.update("UPDATE outbound_message SET delivered_at = sent_at WHERE id = ?", id);
        f.sql.update("INSERT INTO outbound_attempt (message_id, org_id, attempt_number, provider, outcome, started_at,"
                + " duration_ms, pricing_category, pricing_model, billable) SELECT id, org_id, 1, 'meta', 'SENT',"
                + " sent_at, 10, 'utility', 'PMP', true FROM outbound_message WHERE id = ?", id);

        Run human = f.run("usage", "--org", "org-1");
        assertThat(human.exitCode()).as(human.err()).isZero();
        assertThat(human.out()).contains("Usage, scope org-1").contains("PRICING CATEGORY").contains("utility");

        JsonNode rows = f.run("usage", "--all-orgs", "--since", "2h", "--json").json().get("rows");
        JsonNode utility = null;
        for (JsonNode r : rows) {
            if ("utility".equals(r.get("pricingCategory").asText())) {
                utility = r;
            }
        }
        assertThat(utility).isNotNull();
        assertThat(utility.get("orgId").asText()).isEqualTo("org-1");
        assertThat(utility.get("template").asText()).isEqualTo("appointment_reminder");
        assertThat(utility.get("sent").asLong()).isEqualTo(1);
        assertThat(utility.get("delivered").asLong()).isEqualTo(1);
        assertThat(utility.get("billable").asLong()).isEqualTo(1);
    }

    /** The runbook's dashboard JSON: channelMetrics.WHATSAPP. */
    @Test
    void channelHealthJsonIsTheDashboardShape() {
        JsonNode j = f.run("health", "channels", "--org", "org-1", "--window", "2h", "--json").json();
        JsonNode wa = j.get("channelMetrics").get("WHATSAPP");
        assertThat(fields(wa)).containsExactly("channel", "totalMessages", "successfulMessages", "failedMessages",
                "successRate", "averageLatencyMs");
        assertThat(wa.get("totalMessages").asLong()).isEqualTo(3);
        assertThat(wa.get("successRate").asDouble()).isEqualTo(33.3);
        assertThat(wa.get("averageLatencyMs").asLong()).isEqualTo(1500);
        assertThat(j.get("channelMetrics").get("SMS").get("successRate").isNull()).isTrue();
    }

    @Test
    void channelHealthShowsEachNumbersQualityAndTierWithTheNumberMasked() {
        f.sql.update("INSERT INTO whatsapp_provider_config (org_id, phone_number_id, business_account_id, enabled,"
                + " created_at, updated_at) VALUES ('org-1', '100000000000001', '200000000000001', true, now(), now())");
        f.sql.update("INSERT INTO whatsapp_number_state (business_account_id, display_phone_number, last_event,"
                + " quality_rating, messaging_limit, updated_at) VALUES ('200000000000001', '15550783881', 'FLAGGED',"
                + " 'RED', 'TIER_1K', now())");

        Run text = f.run("health", "channels", "--org", "org-1");
        assertThat(text.out()).contains("MESSAGING LIMIT").contains("155****3881").contains("RED")
                .contains("TIER_1K").contains("FLAGGED").doesNotContain("15550783881");
        JsonNode n = f.run("health", "channels", "--org", "org-1", "--json").json().get("numbers").get(0);
        assertThat(fields(n)).containsExactly("businessAccountId", "displayPhoneNumber", "orgIds", "qualityRating",
                "messagingLimit", "lastEvent", "updatedAt");
        assertThat(n.get("displayPhoneNumber").asText()).isEqualTo("155****3881");
    }

    @Test
    void databaseHealthAndConfigListRun() {
        f.seed.providerConfig("org-1", "100000000000001", f.ago(Duration.ofDays(3)), "ops-setup");
        Run db = f.run("health", "database");
        assertThat(db.exitCode()).isZero();
        assertThat(db.out()).contains("outbound_message").contains("autovacuum_vacuum_scale_factor");
        Run configs = f.run("config", "list", "--all-orgs");
        assertThat(configs.out()).contains("100000000000001").contains("missing");
        JsonNode changes = f.run("config", "changes", "--all-orgs", "--since", "7d", "--json").json();
        assertThat(changes.get(0).get("updatedBy").asText()).isEqualTo("ops-setup");
    }

    @Test
    void connectionComesFromFlagsAsWellAsTheEnvironment() {
        Map<String, String> none = Map.of("USER", "oncall");
        Run r = CliFixture.run(none, "", "status", "--org", "org-1", "--jdbc-url", f.ds.getJdbcUrl(), "--user", "postgres",
                "--password", "postgres");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Run missing = CliFixture.run(none, "", "status", "--org", "org-1");
        assertThat(missing.exitCode()).isEqualTo(CliExit.USAGE);
        assertThat(missing.err()).contains("OUTBOX_JDBC_URL");
    }

    @Test
    void aDatabaseThatDoesNotAnswerExitsWith3() {
        Run r = CliFixture.run(Map.of("OUTBOX_JDBC_URL", CliFixture.UNREACHABLE, "OUTBOX_JDBC_USER", "postgres",
                "OUTBOX_JDBC_PASSWORD", "secret-pw"), "", "status", "--org", "org-1");
        assertThat(r.exitCode()).isEqualTo(CliExit.DATABASE_UNREACHABLE);
        assertThat(r.err()).contains("database unreachable").doesNotContain("secret-pw");
    }

    @Test
    void badArgumentsExitWith2BeforeAnyConnection() {
        Map<String, String> unreachable = Map.of("OUTBOX_JDBC_URL", CliFixture.UNREACHABLE, "USER", "oncall");
        List<String[]> bad = new ArrayList<>();
        bad.add(new String[] {"status"}); // no scope
        bad.add(new String[] {"status", "--org", "org-1", "--all-orgs"}); // both
        bad.add(new String[] {"status", "--org", "x' OR '1'='1"});
        bad.add(new String[] {"status", "--org", "org-1", "--window", "5 fortnights"});
        bad.add(new String[] {"status", "--org", "org-1", "--bogus"});
        bad.add(new String[] {"dlq", "retry", "--org", "org-1", "--code", "1'); DROP TABLE outbound_message; --",
            "--reason", "INC-1", "--yes"});
        bad.add(new String[] {"dlq", "retry", "--org", "org-1", "--category", "NOT_A_CATEGORY", "--reason", "INC-1"});
        bad.add(new String[] {"dlq", "retry", "--org", "org-1", "--limit", "0", "--reason", "INC-1"});
        bad.add(new String[] {"dlq", "retry", "--org", "org-1"}); // no reason
        bad.add(new String[] {"dlq", "archive", "--org", "org-1", "--file", "/tmp/x.csv", "--older-than", "2h",
            "--reason", "INC-1", "--yes"});
        bad.add(new String[] {"retry", "12", "--org", "org-1", "--reason", "x"}); // reason too short
        bad.add(new String[] {"cancel", "12", "--all-orgs", "--reason", "INC-1"});
        bad.add(new String[] {"progress", "not-a-uuid", "--org", "org-1"});
        bad.add(new String[] {"dlq"});
        for (String[] args : bad) {
            Run r = CliFixture.run(unreachable, "", args);
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(CliExit.USAGE);
        }
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        Run r = CliFixture.run(Map.of(), "", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("status", "failures", "dlq", "retry", "stuck", "cancel", "quota", "config",
                "rotate-secret", "health", "audit", "progress").contains("Exit codes:");
    }

    static List<String> fields(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static JsonNode asArray(List<JsonNode> nodes) {
        var array = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
        nodes.forEach(array::add);
        return array;
    }
}

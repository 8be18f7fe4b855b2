package io.whatsappoutbox.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.examples.cli.CliFixture.Run;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorCliChangeTest {
    final CliFixture f = new CliFixture();
    final List<Long> outage = new ArrayList<>();
    long undeliverable;
    long otherOrg;
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        for (int i = 0; i < 4; i++) {
            outage.add(f.seed.failed("org-1", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY,
                    f.ago(Duration.ofHours(40 + i)), f.ago(Duration.ofHours(30 + i))));
        }
        undeliverable = f.seed.failed("org-1", Channel.WHATSAPP, "131026", ErrorCategory.UNDELIVERABLE,
                f.ago(Duration.ofDays(45)), f.ago(Duration.ofDays(40)));
        otherOrg = f.seed.failed("org-2", Channel.WHATSAPP, "131016", ErrorCategory.TEMPORARY, f.ago(Duration.ofHours(40)),
                f.ago(Duration.ofHours(30)));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    long failed() {
        return f.sql.count("SELECT count(*) FROM outbound_message WHERE status = 'FAILED'");
    }

    String[] bulkRetry(String... extra) {
        List<String> args = new ArrayList<>(List.of("dlq", "retry", "--org", "org-1", "--code", "131016", "--min-age", "24h",
                "--pause", "0s", "--batch-size", "2", "--reason", "INC-7 Meta outage"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void aBulkRetryAnsweredNoAtThePromptExitsWith4AndChangesNothing() {
        Run no = f.runWithInput("no\n", bulkRetry());
        assertThat(no.exitCode()).isEqualTo(CliExit.ABORTED);
        assertThat(no.err()).contains("Retry 4 dead letter(s), scope org-1").contains("Aborted");
        Run silent = f.runWithInput("", bulkRetry());
        assertThat(silent.exitCode()).isEqualTo(CliExit.ABORTED);
        assertThat(failed()).isEqualTo(6);
        assertThat(f.sql.count("SELECT count(*) FROM outbox_audit WHERE NOT dry_run")).isZero();
    }

    @Test
    void aBulkRetryAnsweredYesRetriesWithAProgressLine() {
        Run yes = f.runWithInput("yes\n", bulkRetry());
        assertThat(yes.exitCode()).as(yes.err()).isZero();
        assertThat(yes.out()).contains("4 of 4 selected message(s) retried in 2 batch(es)").contains("progress ");
        assertThat(yes.err()).contains("retrying [").contains("4/4 (100%)");
        assertThat(failed()).isEqualTo(2);
        assertThat(f.sql.one("SELECT operator FROM outbox_audit WHERE NOT dry_run")).isEqualTo("oncall");
    }

    @Test
    void aDryRunAsJsonListsTheMessagesTheRealRunThenTouches() {
        JsonNode dry = f.run(bulkRetry("--dry-run", "--json")).json();
        assertThat(dry.get("dryRun").asBoolean()).isTrue();
        assertThat(failed()).isEqualTo(6);
        JsonNode real = f.run(bulkRetry("--yes", "--json", "--operator", "jdoe")).json();
        assertThat(real.get("messageIds")).isEqualTo(dry.get("messageIds"));
        assertThat(real.get("messageIds")).hasSize(4);
        assertThat(OperatorCliReadTest.fields(real)).containsExactly("operationId", "kind", "dryRun", "messageIds",
                "changed", "skipped", "batches", "resultingStatuses");
        assertThat(real.get("resultingStatuses").get("QUEUED").asInt()).isEqualTo(4);

        JsonNode progress = f.run("progress", real.get("operationId").asText(), "--org", "org-1", "--json").json();
        assertThat(progress.get("statusCounts").get("QUEUED").asLong()).isEqualTo(4);
        assertThat(progress.get("operator").asText()).isEqualTo("jdoe");
        Run otherScope = f.run("progress", real.get("operationId").asText(), "--org", "org-2");
        assertThat(otherScope.exitCode()).isEqualTo(CliExit.FAILED);

        JsonNode audit = f.run("audit", "--org", "org-1", "--json").json();
        assertThat(audit).hasSize(2);
        assertThat(audit.get(0).get("action").asText()).isEqualTo("RETRY_DEAD_LETTERS");
        assertThat(audit.get(0).get("reason").asText()).isEqualTo("INC-7 Meta outage");
    }

    @Test
    void retryingOneMessageOfAnotherOrgExitsWith1() {
        Run r = f.run("retry", String.valueOf(otherOrg), "--org", "org-1", "--reason", "INC-8");
        assertThat(r.exitCode()).isEqualTo(CliExit.FAILED);
        assertThat(r.err()).contains("No message " + otherOrg + " in org org-1");
        Run ok = f.run("retry", String.valueOf(outage.get(0)), "--org", "org-1", "--reason", "INC-8");
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.out()).contains("retried").contains("FAILED -> QUEUED");
        Run again = f.run("retry", String.valueOf(outage.get(0)), "--org", "org-1", "--reason", "INC-8");
        assertThat(again.exitCode()).isEqualTo(CliExit.FAILED);
        assertThat(again.err()).contains("QUEUED");
    }

    @Test
    void cancellingAsksFirstAndHonoursTheAnswer() {
        long queued = f.seed.queued("org-1", Channel.WHATSAPP, f.ago(Duration.ofHours(3)), f.ago(Duration.ofHours(3)));
        Run no = f.runWithInput("n0\n", "cancel", "--org", "org-1", "--reason", "INC-9 wrong campaign");
        assertThat(no.exitCode()).isEqualTo(CliExit.ABORTED);
        Run yes = f.runWithInput("y\n", "cancel", "--org", "org-1", "--reason", "INC-9 wrong campaign");
        assertThat(yes.exitCode()).isZero();
        assertThat(f.sql.one("SELECT status FROM outbound_message WHERE id = ?", queued)).isEqualTo("CANCELLED");
        Run one = f.run("cancel", String.valueOf(undeliverable), "--org", "org-1", "--reason", "INC-9", "--yes");
        assertThat(one.exitCode()).isZero();
        assertThat(f.sql.one("SELECT status FROM outbound_message WHERE id = ?", undeliverable)).isEqualTo("CANCELLED");
    }

    @Test
    void archivingWritesTheFileDeletesTheRowsAndRefusesAnExistingFile() throws Exception {
        Path file = dir.resolve("dlq.jsonl");
        String[] archive = {"dlq", "archive", "--all-orgs", "--older-than", "30d", "--file", file.toString(), "--format",
            "jsonl", "--reason", "monthly DLQ cleanup"};
        Run no = f.runWithInput("no\n", archive);
        assertThat(no.exitCode()).isEqualTo(CliExit.ABORTED);
        assertThat(no.err()).contains("Archive 1 dead letter(s)").contains("DELETE");
        assertThat(file).doesNotExist();

        Run yes = f.runWithInput("yes\n", archive);
        assertThat(yes.exitCode()).as(yes.err()).isZero();
        assertThat(yes.out()).contains("1 dead letter(s) written to " + file).contains("1 deleted");
        assertThat(Files.readAllLines(file)).hasSize(1);
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message WHERE id = ?", undeliverable)).isZero();

        Run again = f.run(append(archive, "--yes"));
        assertThat(again.exitCode()).isEqualTo(CliExit.USAGE);
        assertThat(again.err()).contains("never overwritten");
    }

    @Test
    void exportWritesCsvAndDeletesNothing() throws Exception {
        Path file = dir.resolve("export.csv");
        JsonNode r = f.run("dlq", "export", "--org", "org-1", "--file", file.toString(), "--reason", "analysis INC-7",
                "--json").json();
        assertThat(r.get("messageIds")).hasSize(5);
        assertThat(r.get("deleted").asInt()).isZero();
        assertThat(Files.readString(file)).startsWith("id,org_id,");
        assertThat(failed()).isEqualTo(6);
    }

    @Test
    void quotasAreShownSetAndResetWithAConfirmation() {
        f.seed.quota("org-1", 1000, 990, f.now.plusSeconds(3600), f.now.plusSeconds(600));
        Run show = f.run("quota", "show", "--all-orgs");
        assertThat(show.out()).contains("org-1").contains("99.0").contains("Messaging limits");
        Run set = f.run("quota", "set", "--org", "org-1", "--limit", "5000", "--reason", "TICKET-12 seasonal peak");
        assertThat(set.exitCode()).isZero();
        assertThat(f.sql.one("SELECT quota_limit FROM whatsapp_rate_limit")).isEqualTo(5000L);
        Run no = f.runWithInput("", "quota", "reset", "--org", "org-1", "--reason", "TICKET-13");
        assertThat(no.exitCode()).isEqualTo(CliExit.ABORTED);
        JsonNode reset = f.run("quota", "reset", "--org", "org-1", "--reason", "TICKET-13", "--yes", "--json").json();
        assertThat(reset.get("after").get("sentCount").asLong()).isZero();
        assertThat(reset.get("after").get("throttleUntil").isNull()).isTrue();
    }

    @Test
    void quotaLimitsShowsEachAccountsTemplateRecipientsAgainstTheTierMetaReported() {
        f.sql.update("INSERT INTO whatsapp_number_state (business_account_id, display_phone_number, messaging_limit,"
                + " updated_at) VALUES ('org:org-1', '15550783881', 'TIER_250', now())");
        f.sql.update("INSERT INTO whatsapp_messaging_window (account, phone_number, first_sent_at)"
                + " SELECT 'org:org-1', '+336' || lpad(n::text, 8, '0'), now() FROM generate_series(1, 50) n");
        Run show = f.run("quota", "limits", "--org", "org-1");
        assertThat(show.out()).contains("org:org-1").contains("250").contains("20.0").contains("TIER_250");
        JsonNode r = f.run("quota", "limits", "--all-orgs", "--json").json();
        assertThat(r.get(0).get("recipients").asLong()).isEqualTo(50);
        assertThat(r.get(0).get("limit").asInt()).isEqualTo(250);
    }

    static final String RESET = "6f1c0d0b5b2e4c8a9e7f3a1b2c4d6e8f";

    Map<String, String> keyed(String... orgsSharingOneSecret) {
        String key = EncryptionKeys.generateBase64Key();
        try (JdbcOutbox keyed = JdbcOutbox.builder().dataSource(f.ds).encryptionKeys(EncryptionKeys.fromBase64("k1", key))
                .build()) {
            for (int i = 0; i < orgsSharingOneSecret.length; i++) {
                keyed.providerConfigs().save(ProviderConfig.of(orgsSharingOneSecret[i], "10000000000000" + (i + 1),
                        Secret.of("token"), Secret.of("old-secret")), "setup");
            }
        }
        Map<String, String> env = new java.util.HashMap<>(f.connection());
        env.put("OUTBOX_ENCRYPTION_KEY", key);
        return env;
    }

    @Test
    void rotatingInstallsTheAppSecretReadFromAFileForEveryOrgOfTheAppAndNeverPrintsIt() throws Exception {
        Map<String, String> env = keyed("org-1", "org-2");
        Path file = Files.writeString(dir.resolve("app-secret"), RESET + "\n");
        Run noKey = f.run("rotate-secret", "--org", "org-1", "--secret-file", file.toString(), "--reason", "INC-10 reset");
        assertThat(noKey.exitCode()).isEqualTo(CliExit.USAGE);
        assertThat(noKey.err()).contains("OUTBOX_ENCRYPTION_KEY");

        Run dry = CliFixture.run(env, "", "rotate-secret", "--org", "org-1", "--secret-file", file.toString(), "--reason",
                "INC-10 reset", "--dry-run", "--json");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(CliFixture.texts(dry.json().get("orgIds"))).containsExactly("org-1", "org-2");
        Run r = CliFixture.run(env, "", "rotate-secret", "--org", "org-1", "--secret-file", file.toString(), "--reason",
                "INC-10 reset");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("org-1, org-2").contains("valid until").doesNotContain(RESET);
        assertThat(r.err()).contains("can be read by other users").doesNotContain(RESET);
        assertThat(f.sql.rows("SELECT * FROM outbox_audit").toString()).doesNotContain(RESET);
        Run list = CliFixture.run(env, "", "config", "list", "--all-orgs", "--json");
        assertThat(list.out()).doesNotContain(RESET).doesNotContain("old-secret");
        assertThat(list.json().get(0).get("unreadableSecrets")).isEmpty();
        assertThat(list.json().get(0).get("previousSecretValidUntil").isNull()).isFalse();
    }

    @Test
    void rotatingReadsTheSecretFromStdinAndRefusesItOnTheCommandLine() {
        Map<String, String> env = keyed("org-1");
        Run r = CliFixture.run(env, RESET, "rotate-secret", "--org", "org-1", "--secret-file", "-", "--reason",
                "INC-11 reset", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain(RESET).doesNotContain("newSecret");
        Run again = CliFixture.run(env, RESET, "rotate-secret", "--org", "org-1", "--secret-file", "-", "--reason",
                "INC-11 reset");
        assertThat(again.exitCode()).isEqualTo(CliExit.USAGE);
        assertThat(again.err()).contains("already the current webhook secret");
        Run inline = CliFixture.run(env, "", "rotate-secret", "--org", "org-1", "--secret", RESET, "--reason", "INC-11");
        assertThat(inline.exitCode()).isEqualTo(CliExit.USAGE);
        assertThat(inline.err()).contains("--secret-file").doesNotContain(RESET);
    }

    @Test
    void theOldRotateSecretWithoutASecretSaysWhereMetaShowsIt() {
        Map<String, String> env = keyed("org-1");
        Run r = CliFixture.run(env, "", "rotate-secret", "--org", "org-1", "--reason", "INC-10 leaked secret");
        assertThat(r.exitCode()).isEqualTo(CliExit.USAGE);
        assertThat(r.err()).contains("App settings > Basic").contains("--secret-file");
        assertThat(f.sql.count("SELECT count(*) FROM outbox_audit")).isZero();
    }

    @Test
    void aChangeWithoutUserInTheEnvironmentRunsUnderTheProcessUser() {
        Map<String, String> env = new java.util.HashMap<>(f.connection());
        env.remove("USER");
        Run r = CliFixture.run(env, "", "quota", "set", "--org", "org-1", "--limit", "5000", "--reason", "CRON-1 nightly",
                "--dry-run");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(f.sql.one("SELECT operator FROM outbox_audit")).isEqualTo(System.getProperty("user.name"));
    }

    @Test
    void aChangeWithNoUserAtAllAsksForTheOperator() {
        Map<String, String> env = new java.util.HashMap<>(f.connection());
        env.remove("USER");
        java.io.StringWriter err = new java.io.StringWriter();
        int code = OutboxCli.run(new CliEnvironment(env, new java.io.BufferedReader(new java.io.StringReader("")),
                new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err, true), "?"),
                "quota", "set", "--org", "org-1", "--limit", "5000", "--reason", "CRON-1 nightly", "--dry-run");
        assertThat(code).isEqualTo(CliExit.USAGE);
        assertThat(err.toString()).contains("--operator");
    }

    @Test
    void recoveringStuckSendingRuns() {
        long stuck = f.seed.sending("org-1", Channel.WHATSAPP, f.ago(Duration.ofHours(1)), f.ago(Duration.ofMinutes(30)), 1);
        Run list = f.run("stuck", "--org", "org-1");
        assertThat(list.out()).contains(String.valueOf(stuck)).contains("SENDING");
        Run recover = f.run("stuck", "--org", "org-1", "--recover", "--reason", "INC-11 node died", "--yes");
        assertThat(recover.exitCode()).as(recover.err()).isZero();
        assertThat(f.sql.one("SELECT status FROM outbound_message WHERE id = ?", stuck)).isEqualTo("QUEUED");
    }

    static String[] append(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void aManualFallbackCreatesOneSmsPerCriticalDeadLetter() {
        String[] args = {"fallback", "--org", "org-1", "--code", "131016", "--template", "appointment_reminder",
            "--sms-text", "Rappel, dossier {dossierId}", "--pause", "0s", "--reason", "INC-7 Meta outage", "--yes", "--json"};
        Run dry = f.run(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--dry-run"))
                .toArray(String[]::new));
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message WHERE fallback_of IS NOT NULL")).isZero();
        Run real = f.run(args);
        assertThat(real.exitCode()).as(real.err()).isZero();
        assertThat(real.out()).contains("\"kind\" : \"FALLBACK_TO_SMS\"").contains("\"changed\" : 4");
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message WHERE channel = 'SMS' AND fallback_of IS NOT NULL"))
                .isEqualTo(4);
        Run again = f.run(args);
        assertThat(again.exitCode()).isZero();
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message WHERE fallback_of IS NOT NULL")).isEqualTo(4);
        assertThat(f.run("fallback", "--org", "org-1", "--sms-text", "x", "--reason", "INC-7 x", "--yes").exitCode())
                .as("--template or --content-type is required").isEqualTo(CliExit.USAGE);
    }

    @Test
    void aManualFallbackSelectsNonTemplateMessagesByContentType() {
        long location = f.seed.failed("org-1", io.whatsappoutbox.core.Channel.WHATSAPP, 77, "131026",
                io.whatsappoutbox.core.ErrorCategory.UNDELIVERABLE, java.time.Instant.now().minusSeconds(600),
                java.time.Instant.now().minusSeconds(300), 1);
        f.sql.update("UPDATE outbound_message SET content_type = 'LOCATION', template_code = NULL, payload_json ="
                + " '{\"latitude\": 43.2965, \"longitude\": 5.3698, \"name\": \"Agence du Port\"}' WHERE id = ?", location);
        Run real = f.run("fallback", "--org", "org-1", "--code", "131026", "--content-type", "LOCATION", "--sms-text",
                "Votre {contentType} : agence du Port", "--pause", "0s", "--reason", "INC-8 locations", "--yes", "--json");
        assertThat(real.exitCode()).as(real.err()).isZero();
        assertThat(f.sql.one("SELECT payload_json->>'body' FROM outbound_message WHERE fallback_of = ?", location))
                .isEqualTo("Votre LOCATION : agence du Port");
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message m JOIN outbound_message p ON p.id = m.fallback_of"
                + " WHERE p.content_type <> 'LOCATION'")).as("no template selected").isZero();
    }
}

package io.whatsappoutbox.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.examples.cli.CliFixture.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code retention run}: the scope's old settled history, counted by a dry run, deleted by a run. */
class RetentionCommandTest {
    final CliFixture f = new CliFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    long old(String org) {
        long id = f.seed.accepted(org, Channel.WHATSAPP, "DELIVERED", f.ago(Duration.ofDays(200)), 100);
        f.sql.update("UPDATE outbound_message SET updated_at = created_at WHERE id = ?", id);
        return id;
    }

    @Test
    void aDryRunCountsInJsonAndARunDeletesOnlyTheOrgsOldSettledMessages() {
        old("org-1");
        old("org-1");
        long otherOrg = old("org-2");
        long queued = f.seed.queued("org-1", Channel.WHATSAPP, f.ago(Duration.ofDays(200)), f.ago(Duration.ofDays(200)));

        Run dry = f.run("retention", "run", "--org", "org-1", "--dry-run", "--json");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        JsonNode counted = dry.json();
        assertThat(counted.get("settledMessages").asLong()).isEqualTo(2);
        assertThat(counted.get("dryRun").asBoolean()).isTrue();
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(4);

        Run no = f.runWithInput("", "retention", "run", "--org", "org-1");
        assertThat(no.exitCode()).isEqualTo(CliExit.ABORTED);
        Run run = f.run("retention", "run", "--org", "org-1", "--yes");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("outbound_message (settled)").contains("2");
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(2);
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message WHERE id IN (?, ?)", otherOrg, queued)).isEqualTo(2);
        assertThat(f.sql.count("SELECT count(*) FROM outbox_audit WHERE action = 'RUN_RETENTION' AND operator = 'oncall'"))
                .isEqualTo(3);
    }

    @Test
    void aScopeIsRequiredAndAPolicyBelowItsFloorIsAUsageError() {
        Run none = f.run("retention", "run", "--dry-run");
        assertThat(none.exitCode()).isEqualTo(CliExit.USAGE);
        assertThat(none.err()).contains("--org").contains("--all-orgs");
        Run both = f.run("retention", "run", "--org", "org-1", "--all-orgs", "--dry-run");
        assertThat(both.exitCode()).isEqualTo(CliExit.USAGE);
        Run tooShort = f.run("retention", "run", "--all-orgs", "--keep-settled", "2d", "--dry-run");
        assertThat(tooShort.exitCode()).isEqualTo(CliExit.USAGE);
        assertThat(tooShort.err()).contains("settledMessages");
        assertThat(f.sql.count("SELECT count(*) FROM outbox_audit")).isZero();
    }

    @Test
    void withAnArchiveDirectoryTheDeletedRowsAreInTheFilesItNames(@TempDir Path dir) throws Exception {
        long first = old("org-1");
        long second = old("org-1");

        Run run = f.run("retention", "run", "--org", "org-1", "--archive-dir", dir.toString(), "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode files = run.json().get("archiveFiles");
        assertThat(files).hasSize(1);
        assertThat(Files.readAllLines(Path.of(files.get(0).asText()))).hasSize(2)
                .satisfies(lines -> assertThat(lines.get(0)).contains("\"id\":" + first))
                .satisfies(lines -> assertThat(lines.get(1)).contains("\"id\":" + second));
        assertThat(f.sql.count("SELECT count(*) FROM outbound_message")).isZero();
        Run missing = f.run("retention", "run", "--org", "org-1", "--archive-dir", dir.resolve("nope").toString(), "--yes");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("archiveDirectory");
    }
}

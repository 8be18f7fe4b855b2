package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.RetentionPolicy;
import io.whatsappoutbox.jdbc.ops.RetentionResult;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Retention: the settled history older than the policy deleted, instead of a hand-written DELETE. */
@Command(name = "retention", description = "Retention of settled history: delete what the policy no longer keeps.",
        subcommands = RetentionCommands.Run.class)
final class RetentionCommands {

    @Command(name = "run", description = "Delete settled messages (with their attempts), inbound messages and audit rows"
            + " older than the policy; never a queued, sending or dead-lettered message. Counts only with --dry-run.")
    static final class Run extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--keep-settled", defaultValue = "90d", paramLabel = "<duration>",
                description = "settled outbound messages kept (default: ${DEFAULT-VALUE}, at least 8d)")
        Duration keepSettled;

        @Option(names = "--keep-inbound", defaultValue = "90d", paramLabel = "<duration>",
                description = "inbound messages kept (default: ${DEFAULT-VALUE})")
        Duration keepInbound;

        @Option(names = "--keep-audit", defaultValue = "365d", paramLabel = "<duration>",
                description = "audit log kept (default: ${DEFAULT-VALUE}, at least 30d)")
        Duration keepAudit;

        @Option(names = "--archive-dir", paramLabel = "<dir>", description = "archive first: each batch is written to a"
                + " checked JSON Lines file in this existing directory, and only the rows it holds are deleted")
        Path archiveDir;

        @Option(names = "--dry-run", description = "count what would be deleted, delete nothing (still audited)")
        boolean dryRun;

        @Option(names = {"--yes", "-y"}, description = "do not ask for confirmation (--json does not ask either)")
        boolean yes;

        @Option(names = "--operator", paramLabel = "<name>", description = "who runs it (default: $USER, else the process's user)")
        String operator;

        @Option(names = "--reason", paramLabel = "<reason>", defaultValue = "retention policy",
                description = "recorded in the audit log (default: ${DEFAULT-VALUE})")
        String reason;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            RetentionPolicy policy = new RetentionPolicy(keepSettled, keepInbound, keepAudit);
            String name = operator != null ? operator : root().env.defaultOperator();
            if (name == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "Missing --operator: neither $USER nor the process's user name says who runs this");
            }
            Operator who = Operator.of(name, reason);
            return ops -> {
                if (!dryRun && !yes && !json()) {
                    RetentionResult preview = ops.runRetention(s, policy, who, true);
                    confirm("Delete " + preview.settledMessages() + " settled message(s) (" + preview.attempts()
                            + " attempts), " + preview.inboundMessages() + " inbound message(s) and " + preview.auditRows()
                            + " audit row(s), scope " + s.label() + "?");
                }
                RetentionResult r = archiveDir == null ? ops.runRetention(s, policy, who, dryRun)
                        : ops.runRetention(s, policy, who, dryRun, archiveDir);
                print(r, () -> {
                    out().printf("%sRetention, scope %s, as of %s%n", r.dryRun() ? "DRY RUN (nothing deleted): " : "",
                            r.scope(), r.asOf());
                    Table t = new Table("TABLE", r.dryRun() ? "WOULD DELETE" : "DELETED", "KEPT FOR");
                    t.row("outbound_message (settled)", r.settledMessages(), keepSettled);
                    t.row("outbound_attempt (of those)", r.attempts(), keepSettled);
                    t.row("message (inbound)", r.inboundMessages(), keepInbound);
                    t.row("outbox_audit", r.auditRows(), keepAudit);
                    t.print(out());
                    r.archiveFiles().forEach(file -> out().println("Archived to " + file));
                    out().println("Operation " + r.operationId());
                });
            };
        }
    }
}

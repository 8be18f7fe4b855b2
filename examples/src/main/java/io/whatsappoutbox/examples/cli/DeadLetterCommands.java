package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.jdbc.ops.ArchiveFormat;
import io.whatsappoutbox.jdbc.ops.ArchiveResult;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterQuery;
import io.whatsappoutbox.jdbc.ops.DeadLetterReport;
import io.whatsappoutbox.jdbc.ops.ExportRequest;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The dead letter (status FAILED): report, export, archive, bulk retry. */
@Command(name = "dlq", description = "The dead letter: report, export, archive, retry.",
        subcommands = {DeadLetterCommands.Report.class, DeadLetterCommands.Export.class, DeadLetterCommands.Archive.class,
            DeadLetterCommands.RetryAll.class})
final class DeadLetterCommands {

    @Command(name = "report", description = "Size, breakdowns, ages, growth, affected orgs, recommendations"
            + " (runbook: analyze-dlq.sh).")
    static final class Report extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--channel", paramLabel = "<channel>", description = "WHATSAPP or SMS (default: both)")
        Channel channel;

        @Option(names = "--days", defaultValue = "7", paramLabel = "<n>", description = "days of growth (default: ${DEFAULT-VALUE})")
        int days;

        @Option(names = "--top", defaultValue = "10", paramLabel = "<n>", description = "codes and orgs to list (default: ${DEFAULT-VALUE})")
        int top;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            DeadLetterQuery q = new DeadLetterQuery(channel, days, top);
            return ops -> {
                DeadLetterReport r = ops.deadLetterReport(s, q);
                print(r, () -> render(out(), r));
            };
        }

        static void render(PrintWriter out, DeadLetterReport r) {
            out.printf("Dead letter report, scope %s (as of %s)%n", r.scope(), Table.cell(r.asOf()));
            out.printf("Total: %d message(s), %d retryable, %d not%n%n", r.size(), r.retryable(), r.nonRetryable());
            Table ch = new Table("CHANNEL", "COUNT");
            r.byChannel().forEach(c -> ch.row(c.channel(), c.count()));
            ch.print(out);
            out.println();
            StatusCommands.codes(out, r.byCode());
            out.println();
            StatusCommands.categories(out, r.byCategory());
            out.println();
            Table ages = new Table("AGE", "COUNT");
            r.ageBuckets().forEach(a -> ages.row(a.label(), a.count()));
            ages.print(out);
            out.println();
            Table growth = new Table("DAY", "ADDITIONS", "ORGS");
            r.growth().forEach(g -> growth.row(g.day(), g.additions(), g.orgs()));
            growth.print(out);
            out.println();
            StatusCommands.orgs(out, r.affectedOrgs());
            out.println();
            out.println("Recommendations:");
            r.recommendations().forEach(x -> out.println("  - " + x));
        }
    }

    /** What export and archive share. */
    abstract static class FileCommand extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--file", required = true, paramLabel = "<path>", description = "the file to write; must not exist")
        Path file;

        @Option(names = "--format", defaultValue = "CSV", paramLabel = "<format>",
                description = "CSV (attempts in <name>.attempts.csv beside it) or JSONL (JSON Lines, attempts nested)"
                        + " (default: ${DEFAULT-VALUE})")
        ArchiveFormat format;

        @Option(names = "--limit", defaultValue = "10000", paramLabel = "<n>", description = "most messages (default: ${DEFAULT-VALUE})")
        int limit;

        @Mixin
        Options.Change change;

        static void render(PrintWriter out, ArchiveResult r, String verb) {
            if (r.dryRun()) {
                out.printf("DRY RUN: %d dead letter(s) would be %s to %s; nothing was written or deleted.%n",
                        r.messageIds().size(), verb, r.file());
            } else {
                out.printf("%d dead letter(s) written to %s (%s), SHA-256 %s; %d deleted.%n",
                        r.messageIds().size(), r.file(), r.format(), r.sha256(), r.deleted());
                if (r.attemptsFile() != null) {
                    out.printf("Their %d attempt row(s) written to %s, SHA-256 %s.%n", r.attemptsExported(),
                            r.attemptsFile(), r.attemptsSha256());
                } else {
                    out.printf("Their %d attempt row(s) are in the same file.%n", r.attemptsExported());
                }
            }
            out.println("Message ids: " + MessageCommands.ids(r.messageIds()));
            out.println("Operation " + r.operationId());
        }
    }

    @Command(name = "export", description = "Write dead letters to a file for analysis; deletes nothing"
            + " (runbook: export-dlq-messages.sh). The file holds full phone numbers: the export is audited.")
    static final class Export extends FileCommand {
        @Mixin
        Options.DeadLetters filter;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            Operator operator = change.operator(spec.commandLine(), root().env);
            ExportRequest request = new ExportRequest(file, format, filter.filter(), limit, change.dryRun);
            return ops -> {
                ArchiveResult r = ops.exportDeadLetters(s, request, operator);
                print(r, () -> render(out(), r, "exported"));
            };
        }
    }

    @Command(name = "archive", description = "Write dead letters older than a threshold to a file, check it, then delete"
            + " exactly those rows (runbook: DLQ archival and cleanup). All or nothing.")
    static final class Archive extends FileCommand {
        @Option(names = "--older-than", required = true, paramLabel = "<duration>",
                description = "in the dead letter for longer than this, at least 1d (the runbook's 30d)")
        Duration olderThan;

        @Option(names = "--channel", paramLabel = "<channel>", description = "WHATSAPP or SMS (default: both)")
        Channel channel;

        @Option(names = "--code", split = ",", paramLabel = "<code>", description = "error codes, comma-separated")
        java.util.List<String> codes;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            Operator operator = change.operator(spec.commandLine(), root().env);
            DeadLetterFilter f = new DeadLetterFilter(channel, codes, null, olderThan, null);
            ExportRequest request = new ExportRequest(file, format, f, limit, change.dryRun).requireArchivable();
            return ops -> {
                if (!change.dryRun && !change.yes) {
                    ArchiveResult preview = ops.archiveDeadLetters(s, request.withDryRun(true), operator);
                    if (preview.messageIds().isEmpty()) {
                        print(preview, () -> render(out(), preview, "archived"));
                        return;
                    }
                    confirm("Archive " + preview.messageIds().size() + " dead letter(s) older than "
                            + Durations.human(olderThan) + " to " + preview.file() + " and DELETE them from the database,"
                            + " scope " + s.label() + "?");
                }
                ArchiveResult r = ops.archiveDeadLetters(s, request, operator);
                print(r, () -> render(out(), r, "archived"));
            };
        }
    }

    @Command(name = "retry", description = "Bulk retry of dead letters matching a filter, oldest first, in paced batches"
            + " (runbook: bulk retry of temporary failures, retry-messages.sh).")
    static final class RetryAll extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Mixin
        Options.DeadLetters filter;

        @Mixin
        Options.Bulk bulk;

        @Mixin
        Options.Change change;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            Operator operator = change.operator(spec.commandLine(), root().env);
            DeadLetterFilter f = filter.filter();
            BulkOptions options = bulk.options(change.dryRun);
            return ops -> {
                if (!change.dryRun && !change.yes) {
                    BulkResult preview = ops.retryDeadLetters(s, f, options.withDryRun(true), operator);
                    if (preview.selected() == 0) {
                        print(preview, () -> MessageCommands.renderBulk(out(), preview, "retried"));
                        return;
                    }
                    confirm("Retry " + preview.selected() + " dead letter(s), scope " + s.label() + ", "
                            + options.batchSize() + " per batch every " + Durations.human(options.pause()) + "?");
                }
                BulkResult r = ops.retryDeadLetters(s, f, change.dryRun ? options
                        : options.withProgress(progress("retrying")), operator);
                print(r, () -> MessageCommands.renderBulk(out(), r, "retried"));
            };
        }
    }
}

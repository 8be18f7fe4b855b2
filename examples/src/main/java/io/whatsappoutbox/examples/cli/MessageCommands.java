package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.CancelFilter;
import io.whatsappoutbox.jdbc.ops.MessageChange;
import io.whatsappoutbox.jdbc.ops.OperationProgress;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;

/** One message retried or cancelled, messages cancelled by filter, an operation's progress. */
final class MessageCommands {
    private MessageCommands() {}

    @Command(name = "retry", description = "Retry one dead letter: due now, a fresh attempt budget, its history kept"
            + " (runbook: retry-single-message.sh).")
    static final class Retry extends OpsCommand {
        @Parameters(index = "0", paramLabel = "<message-id>", description = "the message's id")
        long messageId;

        @Option(names = "--org", required = true, paramLabel = "<org>", description = "the message's org")
        String org;

        @Mixin
        Options.Change change;

        @Override
        Action prepare() {
            Operator operator = change.operator(spec.commandLine(), root().env);
            Scope.org(org); // validates the org before connecting
            return ops -> {
                MessageChange r = ops.retry(org, messageId, operator, change.dryRun);
                print(r, () -> renderChange(out(), r, "retried: due now with a fresh attempt budget"));
            };
        }
    }

    static void renderChange(PrintWriter out, MessageChange r, String what) {
        out.printf("%sMessage %d of %s %s (%s -> %s)%n", r.dryRun() ? "DRY RUN: " : "", r.messageId(), r.orgId(),
                r.dryRun() ? "would be " + what : what, r.before(), r.after());
        out.printf("Operation %s%n", r.operationId());
    }

    static void renderBulk(PrintWriter out, BulkResult r, String verb) {
        if (r.dryRun()) {
            out.printf("DRY RUN: %d message(s) would be %s; nothing was changed.%n", r.selected(), verb);
        } else {
            out.printf("%d of %d selected message(s) %s in %d batch(es)%s.%n", r.changed(), r.selected(), verb, r.batches(),
                    r.skipped() == 0 ? "" : "; " + r.skipped() + " had moved on and were left alone");
        }
        if (!r.resultingStatuses().isEmpty()) {
            out.println("Resulting statuses: " + r.resultingStatuses().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
        }
        out.println("Message ids: " + ids(r.messageIds()));
        out.printf("Operation %s%s%n", r.operationId(), r.dryRun() ? "" : " (follow it with: progress " + r.operationId() + ")");
    }

    static String ids(List<Long> ids) {
        if (ids.isEmpty()) {
            return "(none)";
        }
        String shown = ids.stream().limit(20).map(String::valueOf).collect(Collectors.joining(", "));
        return ids.size() > 20 ? shown + ", ... (" + ids.size() + " in all; --json lists them)" : shown;
    }

    @Command(name = "cancel", description = "Cancel one message (QUEUED or FAILED), or the messages matching a filter.")
    static final class Cancel extends OpsCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "<message-id>", description = "one message (needs --org)")
        Long messageId;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--status", split = ",", paramLabel = "<status>",
                description = "statuses to cancel: QUEUED and/or FAILED (default: QUEUED)")
        List<MessageStatus> statuses;

        @Option(names = "--channel", paramLabel = "<channel>", description = "WHATSAPP or SMS (default: both)")
        Channel channel;

        @Option(names = "--code", split = ",", paramLabel = "<code>", description = "last error code, comma-separated")
        List<String> codes;

        @Option(names = "--category", split = ",", paramLabel = "<category>", description = "last error category, comma-separated")
        List<ErrorCategory> categories;

        @Option(names = "--min-age", paramLabel = "<duration>", description = "created at least this long ago")
        Duration minAge;

        @Option(names = "--max-age", paramLabel = "<duration>", description = "created at most this long ago")
        Duration maxAge;

        @Mixin
        Options.Bulk bulk;

        @Mixin
        Options.Change change;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            Operator operator = change.operator(spec.commandLine(), root().env);
            if (messageId != null) {
                if (s.orgIdOrNull() == null) {
                    throw new ParameterException(spec.commandLine(), "a message belongs to one org: give --org with a message id");
                }
                return ops -> {
                    if (!change.dryRun && !change.yes) {
                        confirm("Cancel message " + messageId + " of " + s.label() + "?");
                    }
                    MessageChange r = ops.cancel(s.orgIdOrNull(), messageId, operator, change.dryRun);
                    print(r, () -> renderChange(out(), r, "cancelled"));
                };
            }
            CancelFilter filter = new CancelFilter(statuses, channel, codes, categories, minAge, maxAge);
            BulkOptions options = bulk.options(change.dryRun);
            return ops -> {
                if (!change.dryRun && !change.yes) {
                    BulkResult preview = ops.cancelMessages(s, filter, options.withDryRun(true), operator);
                    if (preview.selected() == 0) {
                        print(preview, () -> renderBulk(out(), preview, "cancelled"));
                        return;
                    }
                    confirm("Cancel " + preview.selected() + " message(s) (" + filter.statusNames() + "), scope " + s.label() + "?");
                }
                BulkResult r = ops.cancelMessages(s, filter, change.dryRun ? options
                        : options.withProgress(progress("cancelling")), operator);
                print(r, () -> renderBulk(out(), r, "cancelled"));
            };
        }
    }

    @Command(name = "progress", description = "Where the messages an operation touched are now (runbook: monitor retry progress).")
    static final class Progress extends OpsCommand {
        @Parameters(index = "0", paramLabel = "<operation-id>", description = "the operation id a change printed")
        UUID operationId;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            return ops -> {
                OperationProgress p = ops.progress(s, operationId);
                print(p, () -> {
                    out().printf("Operation %s: %s by %s (%s), scope %s, started %s%s%n", p.operationId(), p.action(),
                            p.operator(), p.reason(), p.scope(), Table.cell(p.startedAt()), p.dryRun() ? ", dry run" : "");
                    out().printf("%d message(s) changed; %d still carry the operation id%n", p.affectedCount(), p.messages());
                    Table t = new Table("STATUS", "COUNT");
                    p.statusCounts().forEach((k, v) -> t.row(k, v));
                    t.print(out());
                    out().println("Success rate of those settled: " + (p.successRate() == null ? "-" : p.successRate() + "%"));
                });
            };
        }
    }
}

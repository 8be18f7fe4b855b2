package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.jdbc.ops.AffectedOrg;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.CategoryCount;
import io.whatsappoutbox.jdbc.ops.ErrorCodeCount;
import io.whatsappoutbox.jdbc.ops.FailureAnalysis;
import io.whatsappoutbox.jdbc.ops.FailureQuery;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.QueueStatus;
import io.whatsappoutbox.jdbc.ops.QueueStatusQuery;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The runbook's verification steps: queue status, failure analysis, stuck messages. */
final class StatusCommands {
    private StatusCommands() {}

    @Command(name = "status", description = "Counts per status, oldest and newest, stuck QUEUED and SENDING (runbook: queue"
            + " status summary, queue backup).")
    static final class Status extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--window", defaultValue = "24h", paramLabel = "<duration>",
                description = "count messages created within it (default: ${DEFAULT-VALUE})")
        Duration window;

        @Option(names = "--stuck-after", defaultValue = "2h", paramLabel = "<duration>",
                description = "a QUEUED message due for longer is stuck (default: ${DEFAULT-VALUE})")
        Duration stuckAfter;

        @Option(names = "--channel", paramLabel = "<channel>", description = "WHATSAPP or SMS (default: both)")
        Channel channel;

        @Option(names = "--sample", defaultValue = "20", paramLabel = "<n>", description = "stuck messages to list (default: ${DEFAULT-VALUE})")
        int sample;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            QueueStatusQuery q = new QueueStatusQuery(window, stuckAfter, channel, sample);
            return ops -> {
                QueueStatus r = ops.queueStatus(s, q);
                print(r, () -> render(out(), r, stuckAfter));
            };
        }
    }

    static void render(PrintWriter out, QueueStatus r, Duration stuckAfter) {
        out.printf("Queue status, scope %s, messages created in the last %s (as of %s)%n", r.scope(),
                Durations.human(r.window()), Table.cell(r.asOf()));
        Table t = new Table("STATUS", "COUNT", "OLDEST CREATED", "NEWEST CREATED", "NEWEST UPDATE", "AVG ATTEMPTS");
        r.statuses().forEach(s -> t.row(s.status(), s.count(), s.oldestCreatedAt(), s.newestCreatedAt(),
                s.newestUpdatedAt(), s.averageAttempts()));
        t.print(out);
        out.printf("%nNow: %d queued, %d sending. Stuck: %d QUEUED due for more than %s, %d SENDING with an expired lease.%n",
                r.queuedNow(), r.sendingNow(), r.stuckQueued(), Durations.human(stuckAfter), r.stuckSending());
        if (!r.stuckMessages().isEmpty()) {
            stuckTable(out, r.stuckMessages());
        }
    }

    static void stuckTable(PrintWriter out, List<QueueStatus.StuckMessage> stuck) {
        Table t = new Table("ID", "ORG", "CHANNEL", "RECIPIENT", "STATUS", "ATTEMPTS", "STUCK SINCE", "STUCK FOR");
        stuck.forEach(m -> t.row(m.id(), m.orgId(), m.channel(), m.recipient(), m.status(), m.attemptCount(),
                m.stuckSince(), m.stuckFor()));
        out.println();
        t.print(out);
    }

    @Command(name = "failures", description = "Failures by error code and category, failure rate per hour, affected orgs"
            + " (runbook: provider outage verification).")
    static final class Failures extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--window", defaultValue = "1h", paramLabel = "<duration>",
                description = "failures dead-lettered within it (default: ${DEFAULT-VALUE})")
        Duration window;

        @Option(names = "--trend", defaultValue = "6h", paramLabel = "<duration>",
                description = "failure rate per hour over it (default: ${DEFAULT-VALUE})")
        Duration trend;

        @Option(names = "--channel", paramLabel = "<channel>", description = "WHATSAPP or SMS (default: both)")
        Channel channel;

        @Option(names = "--top", defaultValue = "10", paramLabel = "<n>", description = "affected orgs to list (default: ${DEFAULT-VALUE})")
        int top;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            FailureQuery q = new FailureQuery(window, trend, channel, top);
            return ops -> {
                FailureAnalysis r = ops.failureAnalysis(s, q);
                print(r, () -> render(out(), r));
            };
        }

        static void render(PrintWriter out, FailureAnalysis r) {
            out.printf("Failures, scope %s, last %s: %d dead-lettered%n%n", r.scope(), Durations.human(r.window()),
                    r.totalFailures());
            codes(out, r.byCode());
            out.println();
            categories(out, r.byCategory());
            out.println();
            Table h = new Table("HOUR", "FAILED", "TOTAL", "FAILURE RATE %");
            r.hourly().forEach(x -> h.row(x.hour(), x.failed(), x.total(), x.failureRatePercent()));
            h.print(out);
            out.println();
            orgs(out, r.affectedOrgs());
        }
    }

    static void codes(PrintWriter out, List<ErrorCodeCount> codes) {
        Table t = new Table("CODE", "CATEGORY", "COUNT", "%", "FIRST SEEN", "LAST SEEN", "ORGS", "SAMPLE");
        codes.forEach(c -> t.row(c.errorCode(), c.category(), c.count(), c.percentage(), c.firstSeen(), c.lastSeen(),
                c.orgs(), c.sampleMessage()));
        t.print(out);
    }

    static void categories(PrintWriter out, List<CategoryCount> categories) {
        Table t = new Table("CATEGORY", "RETRYABLE", "COUNT", "%", "ORGS", "RECOMMENDED ACTION");
        categories.forEach(c -> t.row(c.category(), c.retryable() ? "yes" : "no", c.count(), c.percentage(), c.orgs(),
                c.recommendedAction()));
        t.print(out);
    }

    static void orgs(PrintWriter out, List<AffectedOrg> orgs) {
        Table t = new Table("ORG", "FAILURES", "UNIQUE RECIPIENTS", "UNIQUE CODES");
        orgs.forEach(o -> t.row(o.orgId(), o.failures(), o.uniqueRecipients(), o.uniqueErrorCodes()));
        t.print(out);
    }

    @Command(name = "stuck", description = "Stuck messages (QUEUED due too long, SENDING with an expired lease);"
            + " --recover sends expired SENDING back to the queue now (runbook: messages stuck in SENDING).")
    static final class Stuck extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--stuck-after", defaultValue = "2h", paramLabel = "<duration>",
                description = "a QUEUED message due for longer is stuck (default: ${DEFAULT-VALUE})")
        Duration stuckAfter;

        @Option(names = "--channel", paramLabel = "<channel>", description = "WHATSAPP or SMS (default: both)")
        Channel channel;

        @Option(names = "--recover", description = "recover SENDING messages whose lease expired: back to QUEUED,"
                + " or to the dead letter when their attempts are used up")
        boolean recover;

        @Mixin
        Options.Bulk bulk;

        @Mixin
        Options.Change change;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            QueueStatusQuery q = new QueueStatusQuery(Duration.ofDays(1), stuckAfter, channel, 200);
            if (!recover) {
                return ops -> {
                    QueueStatus r = ops.queueStatus(s, q);
                    print(r.stuckMessages(), () -> {
                        out().printf("Stuck, scope %s: %d QUEUED due for more than %s, %d SENDING with an expired lease%n",
                                r.scope(), r.stuckQueued(), Durations.human(stuckAfter), r.stuckSending());
                        stuckTable(out(), r.stuckMessages());
                    });
                };
            }
            Operator operator = change.operator(spec.commandLine(), root().env);
            var options = bulk.options(change.dryRun);
            return ops -> {
                BulkResult r;
                if (change.dryRun || change.yes) {
                    r = ops.recoverStuckSending(s, channel, options.withProgress(progress("recovering")), operator);
                } else {
                    BulkResult preview = ops.recoverStuckSending(s, channel, options.withDryRun(true), operator);
                    if (preview.selected() == 0) {
                        r = preview;
                    } else {
                        confirm("Recover " + preview.selected() + " SENDING message(s) with an expired lease, scope "
                                + s.label() + "?");
                        r = ops.recoverStuckSending(s, channel, options.withProgress(progress("recovering")), operator);
                    }
                }
                BulkResult done = r;
                print(done, () -> MessageCommands.renderBulk(out(), done, "recovered"));
            };
        }
    }
}

package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.jdbc.ops.AuditEntry;
import io.whatsappoutbox.jdbc.ops.AuditQuery;
import io.whatsappoutbox.jdbc.ops.ChannelHealthReport;
import io.whatsappoutbox.jdbc.ops.DatabaseHealth;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Channel health (the dashboard JSON), database health, and the audit log. */
@Command(name = "health", description = "Channel health (the runbook's dashboard) and database health (maintenance).",
        subcommands = {HealthCommands.Channels.class, HealthCommands.Database.class})
final class HealthCommands {

    @Command(name = "channels", description = "Per channel: total, successful, failed, success rate, average latency"
            + " (runbook: dashboard/outbound/health); then each WhatsApp number's quality and messaging limit.")
    static final class Channels extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--window", defaultValue = "1h", paramLabel = "<duration>", description = "look back (default: ${DEFAULT-VALUE})")
        Duration window;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            return ops -> {
                ChannelHealthReport r = ops.channelHealth(s, window);
                print(r, () -> {
                    out().printf("Channel health, scope %s, last %s%n", r.scope(), Durations.human(r.window()));
                    Table t = new Table("CHANNEL", "TOTAL", "SUCCESSFUL", "FAILED", "SUCCESS RATE %", "AVG LATENCY MS");
                    r.channelMetrics().values().forEach(c -> t.row(c.channel(), c.totalMessages(), c.successfulMessages(),
                            c.failedMessages(), c.successRate(), c.averageLatencyMs()));
                    t.print(out());
                    if (!r.numbers().isEmpty()) {
                        out().println();
                        Table n = new Table("BUSINESS ACCOUNT", "NUMBER", "ORGS", "QUALITY", "MESSAGING LIMIT",
                                "LAST EVENT", "UPDATED");
                        r.numbers().forEach(x -> n.row(x.businessAccountId(), x.displayPhoneNumber(),
                                String.join(",", x.orgIds()), x.qualityRating(), x.messagingLimit(), x.lastEvent(),
                                x.updatedAt()));
                        n.print(out());
                    }
                });
            };
        }
    }

    @Command(name = "database", description = "Sizes, dead tuples, vacuum, index use and autovacuum settings of the outbox"
            + " tables (runbook: database maintenance).")
    static final class Database extends OpsCommand {
        @Override
        Action prepare() {
            return ops -> {
                DatabaseHealth h = ops.databaseHealth();
                print(h, () -> {
                    Table t = new Table("TABLE", "TOTAL BYTES", "INDEX BYTES", "LIVE", "DEAD", "DEAD %", "LAST AUTOVACUUM",
                            "SETTINGS");
                    h.tables().forEach(x -> t.row(x.table(), x.totalBytes(), x.indexBytes(), x.liveTuples(), x.deadTuples(),
                            x.deadTuplePercent(), x.lastAutovacuum(), x.settings().isEmpty() ? null : x.settings()));
                    t.print(out());
                    out().println();
                    Table i = new Table("TABLE", "INDEX", "BYTES", "SCANS", "TUPLES READ", "TUPLES FETCHED");
                    h.indexes().forEach(x -> i.row(x.table(), x.index(), x.bytes(), x.scans(), x.tuplesRead(), x.tuplesFetched()));
                    i.print(out());
                });
            };
        }
    }

    @Command(name = "audit", description = "The audit log: who changed what, why, with which result.")
    static final class Audit extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--since", defaultValue = "7d", paramLabel = "<duration>", description = "look back (default: ${DEFAULT-VALUE})")
        Duration since;

        @Option(names = "--action", paramLabel = "<action>", description = "one kind: ${COMPLETION-CANDIDATES}")
        OperationKind action;

        @Option(names = "--operator", paramLabel = "<name>", description = "one operator")
        String operator;

        @Option(names = "--operation-id", paramLabel = "<uuid>", description = "one operation")
        UUID operationId;

        @Option(names = "--limit", defaultValue = "50", paramLabel = "<n>", description = "most rows (default: ${DEFAULT-VALUE})")
        int limit;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            AuditQuery q = new AuditQuery(since, action, operator, operationId, limit);
            return ops -> {
                List<AuditEntry> r = ops.auditLog(s, q);
                print(r, () -> {
                    Table t = new Table("AT", "ACTION", "OPERATOR", "REASON", "SCOPE", "DRY RUN", "AFFECTED", "OPERATION");
                    r.forEach(e -> t.row(e.createdAt(), e.action(), e.operator(), e.reason(), e.scope(), e.dryRun(),
                            e.affectedCount(), e.operationId()));
                    t.print(out());
                });
            };
        }
    }
}

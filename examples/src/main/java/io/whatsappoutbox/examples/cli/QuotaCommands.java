package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.jdbc.ops.MessagingLimitUsage;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.QuotaChange;
import io.whatsappoutbox.jdbc.ops.QuotaUsage;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The runbook's rate-limit procedures on whatsapp_rate_limit. */
@Command(name = "quota", description = "Quotas: show usage, set a quota, reset a counter and throttle.",
        subcommands = {QuotaCommands.Show.class, QuotaCommands.Limits.class, QuotaCommands.Set.class,
                QuotaCommands.Reset.class})
final class QuotaCommands {

    static void table(PrintWriter out, List<QuotaUsage> rows) {
        Table t = new Table("ORG", "SENT", "QUOTA", "USAGE %", "PERIOD", "RESET IN", "THROTTLED FOR", "RATE LIMITS 1H",
                "UPDATED BY");
        rows.forEach(q -> t.row(q.orgId(), q.sentCount(), q.quotaLimit(), q.usagePercent(), q.period(), q.untilReset(),
                q.throttledFor().isZero() ? null : q.throttledFor(), q.rateLimitHitsLastHour(), q.updatedBy()));
        t.print(out);
    }

    /** Meta's messaging limits: unique template recipients per rolling 24 hours, by business account. */
    static void limitsTable(PrintWriter out, List<MessagingLimitUsage> rows) {
        Table t = new Table("ACCOUNT", "ORGS", "RECIPIENTS 24H", "LIMIT", "USAGE %", "TIER");
        rows.forEach(u -> t.row(u.account(), String.join(",", u.orgIds()), u.recipients(),
                u.limit() == null ? "none" : u.limit(), u.usagePercent(), u.tier()));
        t.print(out);
    }

    static void renderChange(PrintWriter out, QuotaChange c) {
        out.printf("%s%s for %s%n", c.dryRun() ? "DRY RUN (nothing changed): " : "", c.kind(), c.after().orgId());
        table(out, c.before() == null ? List.of(c.after()) : List.of(c.before(), c.after()));
        if (c.before() != null) {
            out.println("(first row before, second after)");
        }
        out.println("Operation " + c.operationId());
    }

    @Command(name = "show", description = "Orgs using at least a share of their quota, or throttled (runbook: rate limit status).")
    static final class Show extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--threshold", defaultValue = "80", paramLabel = "<percent>",
                description = "usage in percent (default: ${DEFAULT-VALUE})")
        double threshold;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            return ops -> {
                List<QuotaUsage> r = ops.quotas(s, threshold);
                // the JSON stays the quotas' array; `quota limits --json` has the messaging limits
                print(r, () -> {
                    out().printf("Quotas at or above %s%% or throttled, scope %s%n", threshold, s.label());
                    table(out(), r);
                    out().printf("%nMessaging limits (Meta: unique template recipients per 24 h), scope %s%n",
                            s.label());
                    limitsTable(out(), ops.messagingLimits(s));
                });
            };
        }
    }

    @Command(name = "limits", description = "Meta's messaging limits: template recipients in the last 24 h against"
            + " the tier, per business account.")
    static final class Limits extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            return ops -> {
                List<MessagingLimitUsage> r = ops.messagingLimits(s);
                print(r, () -> {
                    out().printf("Messaging limits (Meta: unique template recipients per 24 h), scope %s%n", s.label());
                    limitsTable(out(), r);
                });
            };
        }
    }

    @Command(name = "set", description = "Set an org's quota (runbook: increase quota limit).")
    static final class Set extends OpsCommand {
        @Option(names = "--org", required = true, paramLabel = "<org>")
        String org;

        @Option(names = "--limit", required = true, paramLabel = "<messages>", description = "messages per period")
        long limit;

        @Option(names = "--period", paramLabel = "<duration>", description = "the quota's period (default: keep; 1d for a new row)")
        Duration period;

        @Mixin
        Options.Change change;

        @Override
        Action prepare() {
            Operator operator = change.operator(spec.commandLine(), root().env);
            Scope.org(org);
            return ops -> {
                QuotaChange c = ops.setQuota(org, limit, period, operator, change.dryRun);
                print(c, () -> renderChange(out(), c));
            };
        }
    }

    @Command(name = "reset", description = "Count back to 0, a fresh period, no throttle (runbook: rate limit not resetting).")
    static final class Reset extends OpsCommand {
        @Option(names = "--org", required = true, paramLabel = "<org>")
        String org;

        @Mixin
        Options.Change change;

        @Override
        Action prepare() {
            Operator operator = change.operator(spec.commandLine(), root().env);
            Scope.org(org);
            return ops -> {
                if (!change.dryRun && !change.yes) {
                    confirm("Reset the quota counter and throttle of " + org + "?");
                }
                QuotaChange c = ops.resetQuota(org, operator, change.dryRun);
                print(c, () -> renderChange(out(), c));
            };
        }
    }
}

package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.ops.UsageReport;
import java.time.Duration;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** What was sent, delivered and billed, per org, template and Meta's pricing category. */
@Command(name = "usage", description = "WhatsApp messages sent, delivered and billable per org, template and pricing"
        + " category (from Meta's receipts' pricing).")
final class UsageCommand extends OpsCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Options.ScopeChoice scope;

    @Option(names = "--since", defaultValue = "24h", paramLabel = "<duration>",
            description = "messages created within it (default: ${DEFAULT-VALUE})")
    Duration since;

    @Override
    Action prepare() {
        Scope s = scope.scope();
        return ops -> {
            UsageReport r = ops.usage(s, since);
            print(r, () -> {
                out().printf("Usage, scope %s, messages created in the last %s (as of %s)%n", r.scope(),
                        Durations.human(r.window()), Table.cell(r.asOf()));
                Table t = new Table("ORG", "TEMPLATE", "PRICING CATEGORY", "SENT", "DELIVERED", "BILLABLE");
                r.rows().forEach(x -> t.row(x.orgId(), x.template(), x.pricingCategory(), x.sent(), x.delivered(),
                        x.billable()));
                t.print(out());
            });
        };
    }
}

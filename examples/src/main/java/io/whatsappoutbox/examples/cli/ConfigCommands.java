package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.core.ops.ConfigChange;
import io.whatsappoutbox.core.ops.Operator;
import io.whatsappoutbox.core.ops.ProviderConfigSummary;
import io.whatsappoutbox.core.ops.Scope;
import io.whatsappoutbox.core.ops.SecretRotation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Provider configurations, without their secrets; the webhook secret rotation. */
@Command(name = "config", description = "Provider configurations: list (no secrets), recent changes.",
        subcommands = {ConfigCommands.ListConfigs.class, ConfigCommands.Changes.class})
final class ConfigCommands {

    @Command(name = "list", description = "Provider configurations without secrets (runbook: verify webhook configuration).")
    static final class ListConfigs extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            return ops -> {
                List<ProviderConfigSummary> r = ops.providerConfigs(s);
                print(r, () -> {
                    Table t = new Table("ORG", "PHONE NUMBER ID", "ENABLED", "TOKEN", "WEBHOOK SECRET", "PREVIOUS VALID UNTIL",
                            "UPDATED AT", "UPDATED BY", "DAYS SINCE UPDATE");
                    r.forEach(c -> t.row(c.orgId(), c.phoneNumberId(), c.enabled(), c.hasAccessToken() ? "set" : "missing",
                            c.hasWebhookSecret() ? "set" : "missing", c.previousSecretValidUntil(), c.updatedAt(),
                            c.updatedBy(), c.daysSinceUpdate()));
                    t.print(out());
                });
            };
        }
    }

    @Command(name = "changes", description = "Configurations changed recently (runbook: recent configuration changes).")
    static final class Changes extends OpsCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--since", defaultValue = "7d", paramLabel = "<duration>", description = "look back (default: ${DEFAULT-VALUE})")
        Duration since;

        @Override
        Action prepare() {
            Scope s = scope.scope();
            return ops -> {
                List<ConfigChange> r = ops.configChanges(s, since);
                print(r, () -> {
                    Table t = new Table("ORG", "PHONE NUMBER ID", "ENABLED", "UPDATED AT", "UPDATED BY");
                    r.forEach(c -> t.row(c.orgId(), c.phoneNumberId(), c.enabled(), c.updatedAt(), c.updatedBy()));
                    t.print(out());
                });
            };
        }
    }

    @Command(name = "rotate-secret", description = "Rotate an org's webhook secret: a new 256-bit secret, stored sealed,"
            + " shown once; the previous one stays valid for the overlap (runbook: webhook secret rotation).")
    static final class RotateSecret extends OpsCommand {
        @Option(names = "--org", required = true, paramLabel = "<org>")
        String org;

        @Option(names = "--overlap", defaultValue = "7d", paramLabel = "<duration>",
                description = "how long the previous secret stays valid (default: ${DEFAULT-VALUE}, at most 30d)")
        Duration overlap;

        @Mixin
        Options.Change change;

        @Override
        boolean needsEncryptionKey() {
            return !change.dryRun;
        }

        @Override
        Action prepare() {
            Operator operator = change.operator(spec.commandLine(), root().env);
            Scope.org(org);
            return ops -> {
                SecretRotation r = ops.rotateWebhookSecret(org, overlap, operator, change.dryRun);
                Map<String, Object> shown = new LinkedHashMap<>();
                shown.put("operationId", r.operationId());
                shown.put("dryRun", r.dryRun());
                shown.put("orgId", r.orgId());
                shown.put("newSecret", r.newSecret() == null ? null : r.newSecret().reveal());
                shown.put("previousValidUntil", r.previousValidUntil());
                print(shown, () -> {
                    if (r.dryRun()) {
                        out().printf("DRY RUN: the webhook secret of %s would be rotated (previous one valid %s more).%n",
                                org, Durations.human(overlap));
                    } else {
                        out().printf("New webhook secret for %s (shown once; set it in Meta Business Manager now):%n", org);
                        out().println(r.newSecret().reveal());
                        out().printf("The previous secret stays valid until %s.%n", Table.cell(r.previousValidUntil()));
                    }
                    out().println("Operation " + r.operationId());
                });
            };
        }
    }
}

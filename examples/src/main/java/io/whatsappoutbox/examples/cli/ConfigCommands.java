package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ops.ConfigChange;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.ProviderConfigSummary;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.ops.SecretRotation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Provider configurations, without their secrets; the webhook secret rotation. */
@Command(name = "config", description = "Provider configurations: list (no secrets), recent changes.",
        subcommands = {ConfigCommands.ListConfigs.class, ConfigCommands.Changes.class})
final class ConfigCommands {

    @Command(name = "list", description = "Provider configurations without secrets (runbook: verify webhook configuration);"
            + " with the encryption key, the secrets that do not open.")
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
                            "UNREADABLE", "UPDATED AT", "UPDATED BY", "DAYS SINCE UPDATE", "QUALITY", "MESSAGING LIMIT",
                            "ACCOUNT");
                    r.forEach(c -> t.row(c.orgId(), c.phoneNumberId(), c.enabled(), c.hasAccessToken() ? "set" : "missing",
                            c.hasWebhookSecret() ? "set" : "missing", c.previousSecretValidUntil(),
                            c.unreadableSecrets() == null ? "? (no key)" : c.unreadableSecrets().isEmpty() ? "none"
                                    : String.join(",", c.unreadableSecrets()),
                            c.updatedAt(), c.updatedBy(), c.daysSinceUpdate(),
                            c.qualityRating() == null ? "-" : c.qualityRating(),
                            c.messagingLimit() == null ? "-" : c.messagingLimit(), c.accountStanding()));
                    t.print(out());
                    long unreadable = r.stream().filter(c -> c.unreadableSecrets() != null && !c.unreadableSecrets().isEmpty())
                            .count();
                    if (unreadable > 0) {
                        out().println(unreadable + " config(s) hold secrets that do not open with this key: their"
                                + " sending or webhooks fail until they are saved again (rotate-secret for a webhook"
                                + " secret)");
                    }
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

    @Command(name = "rotate-secret", description = "Install the new webhook app secret Meta shows after a reset"
            + " (App Dashboard > App settings > Basic), read from a file or stdin, stored sealed; the previous one stays"
            + " valid for the overlap. Every org sharing the org's app secret gets it too (runbook: webhook secret rotation).")
    static final class RotateSecret extends OpsCommand {
        static final String WHERE = "Meta generates the app secret: App Dashboard > App settings > Basic > App secret,"
                + " Reset, then Show; save it to a file only you can read and pass --secret-file <path>"
                + " (or --secret-file - to read it from stdin)";

        static final Duration MAX_OVERLAP = Duration.ofDays(30);

        @ArgGroup(exclusive = true, multiplicity = "1")
        Options.ScopeChoice scope;

        @Option(names = "--secret-file", paramLabel = "<path>",
                description = "the new app secret, alone in a file, or - for stdin (never on the command line)")
        String secretFile;

        /** Refused on purpose: a secret on the command line shows in ps and in the shell's history. */
        @Option(names = "--secret", hidden = true, paramLabel = "<secret>")
        String secretOnCommandLine;

        @Option(names = "--overlap", defaultValue = "7d", paramLabel = "<duration>",
                description = "how long the previous secret stays valid (default: ${DEFAULT-VALUE}, at most 30d)")
        Duration overlap;

        @Mixin
        Options.Change change;

        @Override
        boolean needsEncryptionKey() {
            return true; // even a dry run opens the current secrets, to find the orgs that share one
        }

        @Override
        Action prepare() {
            CommandLine cmd = spec.commandLine();
            Violations v = new Violations();
            if (overlap.isNegative() || overlap.compareTo(MAX_OVERLAP) > 0) {
                v.add("overlap", "is " + Durations.human(overlap), "between 0 and 30 days");
            }
            v.throwIfAny("rotate-secret");
            if (secretOnCommandLine != null) {
                throw new ParameterException(cmd, "--secret is refused: a secret on the command line shows in ps and"
                        + " the shell's history; " + WHERE);
            }
            if (secretFile == null) {
                throw new ParameterException(cmd, "rotate-secret installs the app secret Meta generated, it no longer"
                        + " makes one up (Meta would not sign with it): " + WHERE);
            }
            Operator operator = change.operator(cmd, root().env);
            Scope s = scope.scope();
            Secret appSecret = readSecret(cmd);
            return ops -> {
                SecretRotation r = ops.rotateWebhookSecret(s, appSecret, overlap, operator, change.dryRun);
                print(r, () -> {
                    String orgs = String.join(", ", r.orgIds());
                    if (r.dryRun()) {
                        out().printf("DRY RUN: the webhook secret of %d org(s) would be replaced: %s (previous one valid"
                                + " %s more).%n", r.orgIds().size(), orgs, Durations.human(overlap));
                    } else {
                        out().printf("New webhook app secret installed for %d org(s): %s.%n", r.orgIds().size(), orgs);
                        out().printf("The previous secret stays valid until %s.%n", Table.cell(r.previousValidUntil()));
                    }
                    if (r.orgIds().size() > 1 && r.orgId() != null) {
                        out().println("They share " + r.orgId() + "'s app secret: one Meta app, whose reset changed it"
                                + " for all of them.");
                    }
                    out().println("Operation " + r.operationId());
                });
            };
        }

        /** The secret alone: surrounding blanks and the final line break are dropped, nothing else may be there. */
        private Secret readSecret(CommandLine cmd) {
            String text;
            try {
                if ("-".equals(secretFile)) {
                    StringBuilder in = new StringBuilder();
                    char[] buffer = new char[1024];
                    for (int n; (n = root().env.in().read(buffer)) >= 0 && in.length() < 8192; ) {
                        in.append(buffer, 0, n);
                    }
                    text = in.toString();
                } else {
                    Path file = Path.of(secretFile);
                    if (Files.size(file) > 8192) {
                        throw new ParameterException(cmd, "--secret-file " + secretFile + " is not an app secret"
                                + " (over 8 KiB)");
                    }
                    text = Files.readString(file, StandardCharsets.UTF_8);
                    warnIfOthersCanRead(file);
                }
            } catch (IOException | java.io.UncheckedIOException | java.nio.file.InvalidPathException e) {
                throw new ParameterException(cmd, "cannot read --secret-file " + secretFile + ": "
                        + e.getClass().getSimpleName());
            }
            String value = text.strip();
            if (value.isEmpty()) {
                throw new ParameterException(cmd, "--secret-file " + secretFile + " is empty; " + WHERE);
            }
            return Secret.of(value);
        }

        private void warnIfOthersCanRead(Path file) {
            try {
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
                if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                    err().println("warning: " + file + " can be read by other users: remove it once the secret is"
                            + " installed (chmod 600 next time)");
                }
            } catch (IOException | UnsupportedOperationException e) {
                // no POSIX permissions here: nothing to say
            }
        }
    }
}

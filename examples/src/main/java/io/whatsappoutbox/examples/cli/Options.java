package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Options several commands share. */
final class Options {
    private Options() {}

    /** {@code --org} or {@code --all-orgs}: exactly one (an ArgGroup with multiplicity 1). */
    static final class ScopeChoice {
        @Option(names = "--org", required = true, paramLabel = "<org>", description = "act on this org only")
        String org;

        @Option(names = "--all-orgs", required = true, description = "act on every org (say it explicitly)")
        boolean allOrgs;

        Scope scope() {
            return allOrgs ? Scope.allOrgs() : Scope.org(org);
        }
    }

    /** Who and why, dry run and confirmation: every command that changes data. */
    static final class Change {
        @Option(names = "--operator", paramLabel = "<name>", description = "who runs it (default: $USER, else the process's user)")
        String operator;

        @Option(names = "--reason", paramLabel = "<ticket or reason>",
                description = "why: a ticket or a sentence, recorded in the audit log (required)")
        String reason;

        @Option(names = "--dry-run", description = "show exactly what would change, change nothing (still audited)")
        boolean dryRun;

        @Option(names = {"--yes", "-y"}, description = "do not ask for confirmation")
        boolean yes;

        Operator operator(CommandLine cmd, CliEnvironment env) {
            if (reason == null) {
                throw new ParameterException(cmd, "Missing required option: '--reason=<ticket or reason>'"
                        + " (every change is recorded in the audit log with its reason)");
            }
            String name = operator != null ? operator : env.defaultOperator();
            if (name == null) {
                throw new ParameterException(cmd, "Missing --operator: neither $USER nor the process's user name"
                        + " says who runs this change");
            }
            return Operator.of(name, reason);
        }
    }

    /** Which dead letters. */
    static final class DeadLetters {
        @Option(names = "--channel", paramLabel = "<channel>", description = "WHATSAPP or SMS (default: both)")
        Channel channel;

        @Option(names = "--code", split = ",", paramLabel = "<code>",
                description = "error codes, comma-separated (digits such as 131016, or NO_CONSENT)")
        List<String> codes;

        @Option(names = "--category", split = ",", paramLabel = "<category>",
                description = "error categories, comma-separated: ${COMPLETION-CANDIDATES}")
        List<ErrorCategory> categories;

        @Option(names = "--min-age", paramLabel = "<duration>",
                description = "in the dead letter for at least this long (e.g. 24h: the runbook's cooling period)")
        Duration minAge;

        @Option(names = "--max-age", paramLabel = "<duration>", description = "in the dead letter for at most this long (e.g. 7d)")
        Duration maxAge;

        DeadLetterFilter filter() {
            return new DeadLetterFilter(channel, codes, categories, minAge, maxAge);
        }
    }

    /** How a bulk change runs. */
    static final class Bulk {
        @Option(names = "--limit", paramLabel = "<n>", defaultValue = "100", description = "most messages (default: ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--batch-size", paramLabel = "<n>", defaultValue = "50",
                description = "messages per transaction (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--pause", paramLabel = "<duration>", defaultValue = "1s",
                description = "pause between batches (default: ${DEFAULT-VALUE})")
        Duration pause;

        BulkOptions options(boolean dryRun) {
            return new BulkOptions(limit, batchSize, pause, dryRun, null);
        }
    }
}

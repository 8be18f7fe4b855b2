package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/**
 * The operator CLI: every procedure of the operations runbook as one command on the library's
 * operations API. See {@code docs/operator-cli.md}.
 */
@Command(name = "outbox", mixinStandardHelpOptions = true, version = "whatsapp-outbox operator CLI 0.1.0",
        description = "Operates a whatsapp-outbox database: the runbook's procedures as safe, audited commands.",
        subcommands = {
            StatusCommands.Status.class, StatusCommands.Failures.class, StatusCommands.Stuck.class,
            DeadLetterCommands.class, MessageCommands.Retry.class, MessageCommands.Cancel.class,
            MessageCommands.Progress.class, FallbackCommand.class, QuotaCommands.class, RetentionCommands.class, ConfigCommands.class, ConfigCommands.RotateSecret.class,
            HealthCommands.class, HealthCommands.Audit.class, TemplateCommands.class, UsageCommand.class, CommandLine.HelpCommand.class
        },
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done (a dry run included)", "  1  the operation failed (not found, refused, archive not written)",
            "  2  bad arguments or values: nothing was done", "  3  the database could not be reached",
            "  4  not confirmed at the prompt: nothing was changed",
            "%nConnection: --jdbc-url/--user/--password or OUTBOX_JDBC_URL, OUTBOX_JDBC_USER, OUTBOX_JDBC_PASSWORD;",
            "the encryption key (rotate-secret; config list checks the secrets open with it): --encryption-key or",
            "OUTBOX_ENCRYPTION_KEY (base64 of 32 bytes)."})
public final class OutboxCli {
    @Option(names = "--jdbc-url", scope = ScopeType.INHERIT, paramLabel = "<url>",
            description = "PostgreSQL JDBC URL (default: $OUTBOX_JDBC_URL)")
    String jdbcUrl;

    @Option(names = "--user", scope = ScopeType.INHERIT, paramLabel = "<user>",
            description = "database user (default: $OUTBOX_JDBC_USER)")
    String user;

    @Option(names = "--password", scope = ScopeType.INHERIT, paramLabel = "<password>",
            description = "database password (default: $OUTBOX_JDBC_PASSWORD; prefer the variable: flags show in ps)")
    String password;

    @Option(names = "--encryption-key", scope = ScopeType.INHERIT, paramLabel = "<base64>",
            description = "the library's encryption key, base64 of 32 bytes (default: $OUTBOX_ENCRYPTION_KEY); for rotate-secret,"
                    + " and config list's check of the secrets")
    String encryptionKey;

    @Option(names = "--encryption-key-id", scope = ScopeType.INHERIT, paramLabel = "<id>",
            description = "its key id (default: $OUTBOX_ENCRYPTION_KEY_ID, else k1)")
    String encryptionKeyId;

    @Option(names = "--schema", scope = ScopeType.INHERIT, paramLabel = "<schema>",
            description = "the schema of the outbox's tables (default: $OUTBOX_SCHEMA, else whatsapp_outbox; public for an"
                    + " install from before schemas that has not been migrated since)")
    String schema;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print the result as JSON on stdout (for scripts)")
    boolean json;

    @Option(names = "--demo", scope = ScopeType.INHERIT,
            description = "run against a throw-away embedded PostgreSQL seeded with demo data (demo-org-1, demo-org-2)")
    boolean demo;

    final CliEnvironment env;

    OutboxCli(CliEnvironment env) {
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(run(CliEnvironment.system(), args));
    }

    /** Runs one command in-process and returns its exit code ({@link CliExit}). */
    public static int run(CliEnvironment env, String... args) {
        CommandLine cl = new CommandLine(new OutboxCli(env));
        cl.setOut(env.out());
        cl.setErr(env.err());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(Duration.class, new Durations());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> handle(e, cmd.getErr()));
        withHelp(cl);
        int code = cl.execute(args);
        env.out().flush();
        env.err().flush();
        return code;
    }

    /** {@code --help} and {@code --version} on every command, not only on the top one. */
    private static void withHelp(CommandLine cl) {
        cl.getCommandSpec().mixinStandardHelpOptions(true);
        cl.getSubcommands().values().forEach(OutboxCli::withHelp);
    }

    private static int handle(Exception e, PrintWriter err) {
        if (e instanceof CliExit.Aborted) {
            err.println("Aborted: " + e.getMessage() + "; nothing was changed.");
            return CliExit.ABORTED;
        }
        if (e instanceof InvalidInputException || e instanceof ParameterException) {
            err.println("error: " + e.getMessage());
            return CliExit.USAGE;
        }
        if (CliExit.isConnectionFailure(e)) {
            err.println("error: " + (e instanceof CliExit.DatabaseUnreachable ? e.getMessage()
                    : "database unreachable: " + CliSession.rootMessage(e)));
            return CliExit.DATABASE_UNREACHABLE;
        }
        err.println("error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        return CliExit.FAILED;
    }

    /** The connection settings, flags first, then the environment. */
    CliSession.Settings settings(CommandLine cmd, boolean needsKey) {
        String url = first(jdbcUrl, env.variable("OUTBOX_JDBC_URL"));
        if (url == null && !demo) {
            throw new ParameterException(cmd, "no database: give --jdbc-url or set OUTBOX_JDBC_URL (or try --demo)");
        }
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            throw new ParameterException(cmd, "--jdbc-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db)");
        }
        EncryptionKeys keys = null;
        String key = first(encryptionKey, env.variable("OUTBOX_ENCRYPTION_KEY"));
        if (needsKey && key == null) {
            throw new ParameterException(cmd, "this command needs the library's encryption key: --encryption-key or"
                    + " OUTBOX_ENCRYPTION_KEY (base64 of 32 bytes)");
        }
        if (key != null) {
            keys = EncryptionKeys.fromBase64(first(encryptionKeyId, env.variable("OUTBOX_ENCRYPTION_KEY_ID"), "k1"), key);
        }
        String outboxSchema = first(schema, env.variable("OUTBOX_SCHEMA"), "whatsapp_outbox");
        if (!outboxSchema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new ParameterException(cmd, "--schema must be a lower-case SQL identifier (letters, digits, _)");
        }
        return new CliSession.Settings(url, first(user, env.variable("OUTBOX_JDBC_USER")),
                first(password, env.variable("OUTBOX_JDBC_PASSWORD")), keys, demo, outboxSchema);
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}

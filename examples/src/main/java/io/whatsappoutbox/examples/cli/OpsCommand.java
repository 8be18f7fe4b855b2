package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.jdbc.ops.BulkOptions.ProgressListener;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command on the operations API. Its arguments are turned into the API's validated inputs
 * before any connection is opened, so a typo fails with exit 2 without touching the database.
 */
abstract class OpsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Work ready to run: its inputs are valid. */
    @FunctionalInterface
    interface Action {
        void run(OutboxOperations ops) throws Exception;
    }

    /** Builds and validates the inputs; throws for a bad one. */
    abstract Action prepare();

    /** Whether the command needs the encryption key. */
    boolean needsEncryptionKey() {
        return false;
    }

    @Override
    public Integer call() throws Exception {
        Action action = prepare();
        try (CliSession session = CliSession.open(root().settings(spec.commandLine(), needsEncryptionKey()))) {
            action.run(session.operations());
        }
        return CliExit.OK;
    }

    OutboxCli root() {
        return (OutboxCli) spec.root().userObject();
    }

    PrintWriter out() {
        return root().env.out();
    }

    PrintWriter err() {
        return root().env.err();
    }

    boolean json() {
        return root().json;
    }

    /** Prints {@code result} as JSON with {@code --json}, else runs the human rendering. */
    void print(Object result, Runnable human) {
        if (json()) {
            out().println(Json.write(result));
        } else {
            human.run();
        }
        out().flush();
    }

    /**
     * Asks on stderr and reads the answer on stdin: only {@code yes} (or {@code y}) goes on; anything
     * else, or no input at all, aborts with exit 4.
     */
    void confirm(String question) {
        PrintWriter err = err();
        err.print(question + " Type 'yes' to continue: ");
        err.flush();
        String answer;
        try {
            answer = root().env.in().readLine();
        } catch (IOException e) {
            answer = null;
        }
        String a = answer == null ? "" : answer.trim().toLowerCase(Locale.ROOT);
        if (!a.equals("yes") && !a.equals("y")) {
            throw new CliExit.Aborted(answer == null ? "no answer at the prompt (use --yes in scripts)" : "answered '"
                    + answer.trim() + "'");
        }
    }

    /** A progress line on stderr, redrawn after each batch. */
    ProgressListener progress(String label) {
        PrintWriter err = err();
        return (done, total) -> {
            int pct = total == 0 ? 100 : (int) (100L * done / total);
            int filled = pct / 5;
            err.print("\r" + label + " [" + "#".repeat(filled) + ".".repeat(20 - filled) + "] " + done + "/" + total
                    + " (" + pct + "%)");
            if (done >= total) {
                err.println();
            }
            err.flush();
        };
    }
}

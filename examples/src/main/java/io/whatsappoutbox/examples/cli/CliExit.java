package io.whatsappoutbox.examples.cli;

/** The CLI's exit codes: a script may rely on them. */
public final class CliExit {
    private CliExit() {}

    /** The command did what it was asked (a dry run included). */
    public static final int OK = 0;
    /** The operation failed: not found, refused by the state machine, archive not written, ... */
    public static final int FAILED = 1;
    /** Bad arguments or values: nothing was done. */
    public static final int USAGE = 2;
    /** The database could not be reached. */
    public static final int DATABASE_UNREACHABLE = 3;
    /** The operator did not confirm at the prompt: nothing was changed. */
    public static final int ABORTED = 4;

    /** The operator answered no (or nothing) at the confirmation prompt. */
    static final class Aborted extends RuntimeException {
        Aborted(String message) {
            super(message);
        }
    }

    /** The database did not answer. */
    static final class DatabaseUnreachable extends RuntimeException {
        DatabaseUnreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** True when {@code t} or a cause says the database could not be reached (SQLSTATE class 08, refused, timed out). */
    static boolean isConnectionFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DatabaseUnreachable || c instanceof java.net.ConnectException
                    || c instanceof java.net.UnknownHostException || c instanceof java.sql.SQLTransientConnectionException
                    || c instanceof java.sql.SQLNonTransientConnectionException
                    || c.getClass().getName().endsWith("PoolInitializationException")) {
                return true;
            }
            if (c instanceof java.sql.SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }
}
